package dev.portero.oidc;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * OpenID Connect provider settings ({@code portero.oidc.*}).
 *
 * @param keys token signing keys
 * @param maxTokenLifetime the longest access or ID token lifetime a client may be given; a
 * retired signing key stays published this long after it stopped signing
 * @param accessTokenLifetime default access and ID token lifetime for new clients
 * @param refreshTokenLifetime default refresh token lifetime for new clients
 */
@Validated
@ConfigurationProperties("portero.oidc")
public record OidcSettings(@Valid @DefaultValue Keys keys, @NotNull @DefaultValue("1h") Duration maxTokenLifetime,
		@NotNull @DefaultValue("10m") Duration accessTokenLifetime,
		@NotNull @DefaultValue("30d") Duration refreshTokenLifetime) {

	/**
	 * @param algorithm algorithm of Portero's access tokens: ES256 (default) or RS256 (keys of
	 * both exist either way; ID tokens use each client's algorithm)
	 * @param rotationPeriod a new key is made when an algorithm's signing key is this old
	 * @param publishAhead a new key is published in JWKS this long before it signs anything,
	 * so relying parties that cache JWKS know it first
	 */
	public record Keys(@NotNull @DefaultValue("ES256") SigningAlgorithm algorithm,
			@NotNull @DefaultValue("90d") Duration rotationPeriod, @NotNull @DefaultValue("1h") Duration publishAhead) {
	}

	/** The token signing algorithms Portero offers; RS256 first, as discovery lists it. */
	public enum SigningAlgorithm {

		RS256, ES256

	}

}
