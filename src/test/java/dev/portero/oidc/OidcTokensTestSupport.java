package dev.portero.oidc;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

import dev.portero.account.Account;
import dev.portero.account.Registration;
import dev.portero.oidc.clients.ClientSecrets;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.TestClients;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** What the token and key tests share: clients, users who sign in, and a look at the stored rows. */
abstract class OidcTokensTestSupport extends IntegrationTestSupport {

	static final String PASSWORD = "quartz-harbor-meadow-64";

	static final String CALLBACK = "https://app.example.test/callback";

	@Autowired
	Registration registration;

	@Autowired
	RegisteredClientRepository clientRepository;

	@Autowired
	ClientSecrets clientSecrets;

	@Autowired
	JdbcClient jdbc;

	TestClients clients;

	OidcTokenFlows flows;

	@BeforeEach
	void oidcClients() {
		clients = new TestClients(clientRepository, clientSecrets);
		flows = new OidcTokenFlows(baseUrl());
	}

	Account newUser(String name) {
		return registration.create(uniqueEmail(name), "User " + name, PASSWORD, true, Set.of());
	}

	Browser signedIn(Account user) {
		Browser browser = browser();
		assertThat(browser.signIn(user.email(), PASSWORD)).as("signed in as " + user.email()).isTrue();
		return browser;
	}

	/** A user's tokens for a first-party confidential client, through the authorization-code flow. */
	OidcTokenFlows.Tokens tokensFor(Account user, TestClients.Registered client, String scope) {
		return flows.authorizationCodeTokens(signedIn(user), client, scope);
	}

	/** How many authorizations (each holding the tokens of one grant) the client has in the database. */
	long authorizationsOf(String clientId) {
		return jdbc.sql("""
				SELECT COUNT(*) FROM oauth2_authorization a
				JOIN oauth2_registered_client c ON c.id = a.registered_client_id
				WHERE c.client_id = :client
				""").param("client", clientId).query(Long.class).single();
	}

	/** How many access tokens the client holds in the database. */
	long accessTokensOf(String clientId) {
		return jdbc.sql("""
				SELECT COUNT(*) FROM oauth2_authorization a
				JOIN oauth2_registered_client c ON c.id = a.registered_client_id
				WHERE c.client_id = :client AND a.access_token_value IS NOT NULL
				""").param("client", clientId).query(Long.class).single();
	}

	String tokenEndpoint() {
		return baseUrl() + "/oauth2/token";
	}

	Browser signedInAdmin() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return admin;
	}

	/** The strings of a JSON array, in order. */
	static List<String> strings(JsonNode array) {
		List<String> values = new ArrayList<>();
		array.forEach(value -> values.add(value.asString()));
		return values;
	}

}
