package dev.portero.groups;

import org.springframework.http.HttpStatus;

import dev.portero.web.ProblemException;

/** The ways a change to groups and memberships can be refused, each with its own problem type. */
public final class GroupProblems {

	private GroupProblems() {
	}

	/** No group has this id. */
	public static final class UnknownGroup extends ProblemException {

		UnknownGroup() {
			super(HttpStatus.NOT_FOUND, "unknown-group", "No group has this id.");
		}

	}

	/** A field missing or of the wrong form. */
	public static final class InvalidGroup extends ProblemException {

		InvalidGroup(String detail) {
			super(HttpStatus.BAD_REQUEST, "invalid-group", detail);
		}

	}

	/** Another group has this name (names compare without case). */
	public static final class GroupNameTaken extends ProblemException {

		GroupNameTaken() {
			super(HttpStatus.CONFLICT, "group-name-taken", "Another group has this name.");
		}

	}

	/** The group has subgroups: they would lose their parent. */
	public static final class GroupHasSubgroups extends ProblemException {

		GroupHasSubgroups() {
			super(HttpStatus.CONFLICT, "group-has-subgroups",
					"This group has subgroups: move or delete them first.");
		}

	}

	/** The new parent is the group itself or one of its subgroups, or the tree would grow too deep. */
	public static final class InvalidParent extends ProblemException {

		InvalidParent(String detail) {
			super(HttpStatus.CONFLICT, "invalid-group-parent", detail);
		}

	}

	/** No role has this id (for this client). */
	public static final class UnknownRole extends ProblemException {

		UnknownRole() {
			super(HttpStatus.NOT_FOUND, "unknown-role", "No role has this id.");
		}

	}

	/** The client (or the instance) already has a role of this name. */
	public static final class RoleNameTaken extends ProblemException {

		RoleNameTaken() {
			super(HttpStatus.CONFLICT, "role-name-taken", "A role of this name exists already.");
		}

	}

	/** A directory's group is kept by the directory: it changes at its members' sign-ins only. */
	public static final class ManagedByDirectory extends ProblemException {

		ManagedByDirectory() {
			super(HttpStatus.CONFLICT, "group-managed-by-directory",
					"This group and its members are copied from a directory at each sign-in; change them there.");
		}

	}

	/** Removing what is not there: the person is not a member, or the role was not granted. */
	public static final class NotThere extends ProblemException {

		public NotThere(String detail) {
			super(HttpStatus.NOT_FOUND, "not-there", detail);
		}

	}

}
