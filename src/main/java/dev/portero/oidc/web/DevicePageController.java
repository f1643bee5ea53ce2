package dev.portero.oidc.web;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Where a user types the code a device (a TV, a command-line tool) shows them; the form sends it
 * to the authorization server's device verification endpoint, which comes back here with
 * {@code ?done} or {@code ?invalid}.
 */
@Controller
class DevicePageController {

	@GetMapping("/device")
	String page() {
		return "oidc/device";
	}

}
