package dev.portero.mfa;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.CredentialRecord;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.management.JdbcPublicKeyCredentialUserEntityRepository;
import org.springframework.security.web.webauthn.management.JdbcUserCredentialRepository;
import org.springframework.security.web.webauthn.management.PublicKeyCredentialUserEntityRepository;
import org.springframework.security.web.webauthn.management.UserCredentialRepository;
import org.springframework.stereotype.Service;

import dev.portero.account.AccountId;

/**
 * An account's passkeys. Registration and sign-in ceremonies are Spring Security's WebAuthn
 * support; its JDBC repositories keep the credentials, named by account id.
 */
@Service
public class Passkeys {

	public record Passkey(String id, String label, @Nullable Instant created, @Nullable Instant lastUsed) {
	}

	/** Facts for audit. */
	public record PasskeyRemoved(AccountId accountId, String label) {
	}

	public record PasskeyRegistered(AccountId accountId, String label) {
	}

	private final PublicKeyCredentialUserEntityRepository users;

	private final UserCredentialRepository credentials;

	private final ApplicationEventPublisher events;

	Passkeys(PublicKeyCredentialUserEntityRepository users, UserCredentialRepository credentials,
			ApplicationEventPublisher events) {
		this.users = users;
		this.credentials = credentials;
		this.events = events;
	}

	public List<Passkey> list(AccountId account) {
		PublicKeyCredentialUserEntity user = users.findByUsername(account.toString());
		if (user == null) {
			return List.of();
		}
		return credentials.findByUserId(user.getId())
			.stream()
			.map(c -> new Passkey(c.getCredentialId().toBase64UrlString(), c.getLabel(), c.getCreated(), c.getLastUsed()))
			.toList();
	}

	/** Removes one of the account's passkeys; false if it has no such passkey. */
	public boolean remove(AccountId account, String id) {
		PublicKeyCredentialUserEntity user = users.findByUsername(account.toString());
		if (user == null) {
			return false;
		}
		for (CredentialRecord credential : credentials.findByUserId(user.getId())) {
			if (credential.getCredentialId().toBase64UrlString().equals(id)) {
				credentials.delete(Bytes.fromBase64(id));
				events.publishEvent(new PasskeyRemoved(account, credential.getLabel()));
				return true;
			}
		}
		return false;
	}

	@Configuration(proxyBeanMethods = false)
	static class Repositories {

		@Bean
		JdbcPublicKeyCredentialUserEntityRepository passkeyUsers(JdbcOperations jdbc) {
			return new JdbcPublicKeyCredentialUserEntityRepository(jdbc);
		}

		@Bean
		UserCredentialRepository passkeyCredentials(JdbcOperations jdbc, PublicKeyCredentialUserEntityRepository users,
				ApplicationEventPublisher events) {
			return new RegistrationsPublished(new JdbcUserCredentialRepository(jdbc), users, events);
		}

	}

	/**
	 * Spring Security's WebAuthn filter registers passkeys itself and tells no one; its repository
	 * is the one place a new credential passes through, so that is where the registration is
	 * published (for the audit trail). Saves of a known credential (its counter and last use after
	 * each sign-in) are not registrations.
	 */
	static final class RegistrationsPublished implements UserCredentialRepository {

		private final UserCredentialRepository delegate;

		private final PublicKeyCredentialUserEntityRepository users;

		private final ApplicationEventPublisher events;

		RegistrationsPublished(UserCredentialRepository delegate, PublicKeyCredentialUserEntityRepository users,
				ApplicationEventPublisher events) {
			this.delegate = delegate;
			this.users = users;
			this.events = events;
		}

		@Override
		public void save(CredentialRecord record) {
			boolean registration = delegate.findByCredentialId(record.getCredentialId()) == null;
			delegate.save(record);
			if (registration) {
				PublicKeyCredentialUserEntity user = users.findById(record.getUserEntityUserId());
				if (user != null) {
					events.publishEvent(new PasskeyRegistered(AccountId.parse(user.getName()), record.getLabel()));
				}
			}
		}

		@Override
		public void delete(Bytes credentialId) {
			delegate.delete(credentialId);
		}

		@Override
		public @Nullable CredentialRecord findByCredentialId(Bytes credentialId) {
			return delegate.findByCredentialId(credentialId);
		}

		@Override
		public List<CredentialRecord> findByUserId(Bytes userId) {
			return delegate.findByUserId(userId);
		}

	}

}
