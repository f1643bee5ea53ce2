package dev.portero.bench;

import java.util.List;

/**
 * One OpenID provider under test, as a relying party sees it: its endpoints, one confidential
 * client, and test users who all have {@code password}.
 */
record Target(String name, String issuer, String authorize, String token, String userinfo, String introspect,
		String discovery, String jwks, String clientId, String clientSecret, String redirectUri, List<String> users,
		String password) {

	Target withUsers(List<String> others) {
		return new Target(name, issuer, authorize, token, userinfo, introspect, discovery, jwks, clientId, clientSecret,
				redirectUri, others, password);
	}

	static Target portero(String name, String base, String clientId, String secret, String redirectUri,
			List<String> users, String password) {
		return new Target(name, base, base + "/oauth2/authorize", base + "/oauth2/token", base + "/userinfo",
				base + "/oauth2/introspect", base + "/.well-known/openid-configuration", base + "/oauth2/jwks", clientId,
				secret, redirectUri, users, password);
	}

	static Target keycloak(String name, String base, String realm, String clientId, String secret,
			String redirectUri, List<String> users, String password) {
		String issuer = base + "/realms/" + realm;
		String oidc = issuer + "/protocol/openid-connect";
		return new Target(name, issuer, oidc + "/auth", oidc + "/token", oidc + "/userinfo", oidc + "/token/introspect",
				issuer + "/.well-known/openid-configuration", oidc + "/certs", clientId, secret, redirectUri, users,
				password);
	}

}
