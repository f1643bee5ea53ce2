package dev.portero.oidc.keys;

import java.security.Key;
import java.util.ArrayList;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;

/**
 * The public keys that verify Portero's own tokens: the published keys whose id and algorithm the
 * token's header names. Nimbus's own selector converted every published key (private parts
 * included) into Java keys on every request, about a tenth of a userinfo request's time; these
 * are converted once per set of published keys ({@link SigningKeys} replaces its list when the
 * keys change, so a removed key stops verifying as soon as {@link SigningKeys} drops it).
 */
public final class VerificationKeys implements JWSKeySelector<SecurityContext> {

	private record Converted(List<SigningKeys.StoredKey> source, List<Entry> keys) {
	}

	private record Entry(String kid, String algorithm, Key key) {
	}

	private final SigningKeys keys;

	private volatile Converted converted = new Converted(List.of(), List.of());

	public VerificationKeys(SigningKeys keys) {
		this.keys = keys;
	}

	@Override
	public List<Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
		String algorithm = header.getAlgorithm().getName();
		String kid = header.getKeyID();
		List<Key> selected = new ArrayList<>(1);
		for (Entry entry : current().keys()) {
			if (entry.algorithm().equals(algorithm) && (kid == null || entry.kid().equals(kid))) {
				selected.add(entry.key());
			}
		}
		return selected;
	}

	private Converted current() throws KeySourceException {
		List<SigningKeys.StoredKey> published = keys.published();
		Converted now = converted;
		if (now.source() != published) {
			List<Entry> entries = new ArrayList<>();
			for (SigningKeys.StoredKey key : published) {
				if (key.jwk() instanceof AsymmetricJWK asymmetric && key.jwk().getAlgorithm() != null) {
					try {
						entries.add(new Entry(key.kid(), key.jwk().getAlgorithm().getName(), asymmetric.toPublicKey()));
					}
					catch (JOSEException ex) {
						throw new KeySourceException("a published key could not be read", ex);
					}
				}
			}
			now = new Converted(published, List.copyOf(entries));
			converted = now;
		}
		return now;
	}

}
