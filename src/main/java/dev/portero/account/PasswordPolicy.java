package dev.portero.account;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import me.gosimple.nbvcxz.Nbvcxz;
import me.gosimple.nbvcxz.resources.ConfigurationBuilder;
import me.gosimple.nbvcxz.scoring.Result;

import org.springframework.stereotype.Component;

/**
 * NIST SP 800-63B password rules: a length range, no composition rules, and a refusal of
 * passwords that are common, breached or guessable. The guessability estimate and its
 * common-password dictionaries come from nbvcxz (a zxcvbn port) rather than a home-made list.
 */
@Component
public class PasswordPolicy {

	private final PasswordSettings settings;

	private final Nbvcxz estimator;

	PasswordPolicy(PasswordSettings settings) {
		this.settings = settings;
		this.estimator = new Nbvcxz(new ConfigurationBuilder().setMinimumEntropy(settings.minEntropyBits())
			.createConfiguration());
	}

	/**
	 * Every reason the password is refused, in words meant for the person choosing it; empty when
	 * it is acceptable.
	 */
	public List<String> check(String password, String email, String displayName) {
		List<String> reasons = new ArrayList<>();
		int length = password.codePointCount(0, password.length());
		if (length < settings.minLength()) {
			reasons.add("Use at least " + settings.minLength() + " characters; a few unrelated words make a long, memorable password.");
			return reasons;
		}
		if (length > settings.maxLength()) {
			reasons.add("Use at most " + settings.maxLength() + " characters.");
			return reasons;
		}
		String lower = password.toLowerCase(Locale.ROOT);
		if (containsPersonalPart(lower, email, displayName)) {
			reasons.add("Don't use your e-mail address or your name in your password.");
		}
		Result result = estimator.estimate(password);
		if (!result.isMinimumEntropyMet()) {
			reasons.add("This password is too common or too easy to guess: it appears in lists of leaked"
					+ " passwords or follows a pattern attackers try first. Choose something less predictable.");
		}
		return reasons;
	}

	private static boolean containsPersonalPart(String lowerPassword, String email, String displayName) {
		List<String> parts = new ArrayList<>();
		String lowerEmail = email.toLowerCase(Locale.ROOT);
		parts.add(lowerEmail);
		int at = lowerEmail.indexOf('@');
		if (at > 0) {
			parts.add(lowerEmail.substring(0, at));
		}
		String lowerName = displayName.toLowerCase(Locale.ROOT).strip();
		parts.add(lowerName);
		parts.addAll(List.of(lowerName.split("\\s+")));
		for (String part : parts) {
			if (part.length() >= 4 && lowerPassword.contains(part)) {
				return true;
			}
		}
		return false;
	}

}
