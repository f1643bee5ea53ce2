package dev.portero.incident;

import org.jspecify.annotations.Nullable;

import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** Puts the maintenance banner, when there is one, on every page (fragments.html shows it). */
@ControllerAdvice
class IncidentBanner {

	private final IncidentSwitches switches;

	IncidentBanner(IncidentSwitches switches) {
		this.switches = switches;
	}

	@ModelAttribute("incidentBanner")
	@Nullable String banner() {
		IncidentSwitches.State state = switches.state();
		if (state.banner() != null) {
			return state.banner();
		}
		return state.readOnly() ? "Portero is in read-only maintenance: signing in works, changes do not for the moment."
				: null;
	}

}
