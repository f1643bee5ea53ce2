package dev.portero.backup;

/**
 * A backup could not be made, read or restored. The message is meant for the operator: it says
 * what went wrong and what was left untouched; it never holds a key or a row's content.
 */
public class BackupFailed extends RuntimeException {

	public BackupFailed(String message) {
		super(message);
	}

	public BackupFailed(String message, Throwable cause) {
		super(message, cause);
	}

}
