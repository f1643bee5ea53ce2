package dev.portero.incident;

import java.util.Map;

/** What the incident switches tell the rest (the audit trail). */
public final class IncidentEvents {

	private IncidentEvents() {
	}

	/** A switch was used for real (dry runs change nothing and are not recorded). */
	public record SwitchUsed(String name, String target, Map<String, Object> details) {
	}

}
