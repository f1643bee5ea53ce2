package dev.portero.login;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.jspecify.annotations.Nullable;
import org.springframework.security.web.webauthn.api.AttestationConveyancePreference;
import org.springframework.security.web.webauthn.api.AuthenticationExtensionsClientInputs;
import org.springframework.security.web.webauthn.api.AuthenticatorAttachment;
import org.springframework.security.web.webauthn.api.AuthenticatorSelectionCriteria;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialCreationOptions;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialDescriptor;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialParameters;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialRpEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.ResidentKeyRequirement;
import org.springframework.security.web.webauthn.api.UserVerificationRequirement;
import org.springframework.security.web.webauthn.registration.PublicKeyCredentialCreationOptionsRepository;

/**
 * Keeps a passkey registration's options (above all its challenge) in the session between the
 * options request and the registration. Spring Security's own repository puts
 * {@link PublicKeyCredentialCreationOptions} into the session as it is, but that class (and several
 * of its parts) is not {@code Serializable}, and our sessions live in the database, where Spring
 * Session JDBC serializes every attribute: the options request failed with a 500 and no passkey
 * could be added. This one stores the same options as serializable values and rebuilds them.
 */
final class SessionPasskeyRegistrationOptions implements PublicKeyCredentialCreationOptionsRepository {

	static final String ATTRIBUTE = SessionPasskeyRegistrationOptions.class.getName() + ".options";

	private static final List<PublicKeyCredentialParameters> ALGORITHMS = List.of(PublicKeyCredentialParameters.EdDSA,
			PublicKeyCredentialParameters.ES256, PublicKeyCredentialParameters.ES384, PublicKeyCredentialParameters.ES512,
			PublicKeyCredentialParameters.RS256, PublicKeyCredentialParameters.RS384, PublicKeyCredentialParameters.RS512,
			PublicKeyCredentialParameters.RS1);

	private static final List<UserVerificationRequirement> USER_VERIFICATION = List.of(UserVerificationRequirement.REQUIRED,
			UserVerificationRequirement.PREFERRED, UserVerificationRequirement.DISCOURAGED);

	/** The options as plain values; the library's value classes are rebuilt from their names. */
	private record Stored(String rpId, String rpName, PublicKeyCredentialUserEntity user, Bytes challenge,
			List<Long> algorithms, @Nullable Duration timeout, List<PublicKeyCredentialDescriptor> excludeCredentials,
			@Nullable String attachment, @Nullable String residentKey, @Nullable String userVerification,
			@Nullable String attestation, @Nullable AuthenticationExtensionsClientInputs extensions) implements Serializable {
	}

	@Override
	public void save(HttpServletRequest request, HttpServletResponse response,
			@Nullable PublicKeyCredentialCreationOptions options) {
		if (options == null) {
			HttpSession session = request.getSession(false);
			if (session != null) {
				session.removeAttribute(ATTRIBUTE);
			}
			return;
		}
		request.getSession().setAttribute(ATTRIBUTE, toStored(options));
	}

	@Override
	public @Nullable PublicKeyCredentialCreationOptions load(HttpServletRequest request) {
		HttpSession session = request.getSession(false);
		return session != null && session.getAttribute(ATTRIBUTE) instanceof Stored stored ? fromStored(stored) : null;
	}

	private static Stored toStored(PublicKeyCredentialCreationOptions options) {
		AuthenticatorSelectionCriteria selection = options.getAuthenticatorSelection();
		return new Stored(options.getRp().getId(), options.getRp().getName(), options.getUser(), options.getChallenge(),
				options.getPubKeyCredParams().stream().map(p -> p.getAlg().getValue()).toList(), options.getTimeout(),
				new ArrayList<>(options.getExcludeCredentials() == null ? List.of() : options.getExcludeCredentials()),
				selection == null || selection.getAuthenticatorAttachment() == null ? null
						: selection.getAuthenticatorAttachment().getValue(),
				selection == null || selection.getResidentKey() == null ? null : selection.getResidentKey().getValue(),
				selection == null || selection.getUserVerification() == null ? null
						: selection.getUserVerification().getValue(),
				options.getAttestation() == null ? null : options.getAttestation().getValue(), options.getExtensions());
	}

	private static PublicKeyCredentialCreationOptions fromStored(Stored stored) {
		AuthenticatorSelectionCriteria.AuthenticatorSelectionCriteriaBuilder selection = AuthenticatorSelectionCriteria.builder();
		if (stored.attachment() != null) {
			selection.authenticatorAttachment(AuthenticatorAttachment.valueOf(stored.attachment()));
		}
		if (stored.residentKey() != null) {
			selection.residentKey(ResidentKeyRequirement.valueOf(stored.residentKey()));
		}
		if (stored.userVerification() != null) {
			selection.userVerification(USER_VERIFICATION.stream()
				.filter(u -> u.getValue().equals(stored.userVerification()))
				.findFirst()
				.orElseThrow());
		}
		PublicKeyCredentialCreationOptions.PublicKeyCredentialCreationOptionsBuilder options = PublicKeyCredentialCreationOptions
			.builder()
			.rp(PublicKeyCredentialRpEntity.builder().id(stored.rpId()).name(stored.rpName()).build())
			.user(stored.user())
			.challenge(stored.challenge())
			.pubKeyCredParams(stored.algorithms()
				.stream()
				.flatMap(alg -> ALGORITHMS.stream().filter(p -> p.getAlg().getValue() == alg))
				.toList())
			.timeout(stored.timeout())
			.excludeCredentials(stored.excludeCredentials())
			.authenticatorSelection(selection.build())
			.extensions(stored.extensions());
		if (stored.attestation() != null) {
			options.attestation(AttestationConveyancePreference.valueOf(stored.attestation()));
		}
		return options.build();
	}

}
