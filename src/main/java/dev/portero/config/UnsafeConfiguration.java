package dev.portero.config;

import java.util.List;

/** The configuration is unsafe for the active profile; the message lists every problem on one line. */
public class UnsafeConfiguration extends StartupRefused {

	public UnsafeConfiguration(List<String> problems) {
		super("refusing to start in prod: " + String.join("; ", problems));
	}

}
