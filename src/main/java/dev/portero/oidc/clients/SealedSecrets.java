package dev.portero.oidc.clients;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.stereotype.Component;

import dev.portero.config.MasterKey;
import dev.portero.config.SecretBox;

/**
 * The secret of a {@code client_secret_jwt} client, kept recoverable: its assertions are an HMAC
 * with the secret as the key, which the keyed hash of {@link ClientSecrets} cannot check. Sealed
 * with AES-GCM under the master key, bound to the client's internal id, in a Portero setting
 * beside Spring's; only such clients have it, beside the hash that the other secret methods
 * check. It never leaves this class but as the key Spring's assertion decoder is given.
 */
@Component
class SealedSecrets {

	static final String SETTING = "settings.client.portero.sealed-secret";

	private static final Logger log = LoggerFactory.getLogger(SealedSecrets.class);

	private final SecretBox box;

	SealedSecrets(MasterKey masterKey) {
		this.box = new SecretBox(masterKey, "client-secret");
	}

	/**
	 * The sealed secret as the methods want it: a new secret sealed for a client with
	 * {@code client_secret_jwt}, none for one without; a client that keeps the method and gets no
	 * new secret keeps what it has.
	 */
	ClientSettings.Builder apply(ClientSettings.Builder settings, String registeredId, Set<String> methods,
			@Nullable String secret) {
		if (!methods.contains(ClientRules.CLIENT_SECRET_JWT)) {
			settings.settings(stored -> stored.remove(SETTING));
		}
		else if (secret != null) {
			settings.setting(SETTING, box.seal(secret.getBytes(StandardCharsets.UTF_8), registeredId));
		}
		return settings;
	}

	/** The client with a new secret: its hash, and the secret sealed if {@code client_secret_jwt} needs it. */
	RegisteredClient withNewSecret(RegisteredClient client, String secret, String hash) {
		Set<String> methods = new HashSet<>();
		client.getClientAuthenticationMethods().forEach(method -> methods.add(method.getValue()));
		return RegisteredClient.from(client)
			.clientSecret(hash)
			.clientSettings(apply(ClientSettings.withSettings(client.getClientSettings().getSettings()), client.getId(),
					methods, secret).build())
			.build();
	}

	static boolean has(RegisteredClient client) {
		return client.getClientSettings().getSetting(SETTING) instanceof String;
	}

	/**
	 * The client as Spring's assertion decoder must see it: for {@code client_secret_jwt}, with its
	 * secret in the clear, which Spring takes as the HMAC key. Never with the stored hash, which
	 * would make the hash a key: a client given the method without a sealed secret (its secret
	 * was only hashed when the method was added) has none until its secret is rotated, and Spring
	 * refuses every assertion then.
	 */
	RegisteredClient forAssertions(RegisteredClient client) {
		if (!client.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.CLIENT_SECRET_JWT)) {
			return client;
		}
		String secret = null;
		if (client.getClientSettings().getSetting(SETTING) instanceof String sealed) {
			try {
				secret = new String(box.open(sealed, client.getId()), StandardCharsets.UTF_8);
			}
			catch (IllegalStateException ex) {
				// another master key, or a value altered or moved: invalid_client, not a server error
				log.warn("The sealed secret of client {} does not open (master key changed, or the value was altered); "
						+ "its client_secret_jwt assertions are refused until its secret is rotated", client.getClientId());
			}
		}
		// nor the sealed value, which Spring would print with the client's settings should it log one
		return RegisteredClient.from(client)
			.clientSecret(secret)
			.clientSettings(ClientSettings.withSettings(client.getClientSettings().getSettings())
				.settings(stored -> stored.remove(SETTING))
				.build())
			.build();
	}

}
