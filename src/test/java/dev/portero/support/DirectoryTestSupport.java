package dev.portero.support;

import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Integration tests against real directories: UnboundID's in-memory server on loopback, under
 * {@link #BASE} with {@code ou=people} and {@code ou=groups}, registered through the admin API as
 * an administrator would. Each test sees only its own directories (the application and its
 * database are shared with the other tests: one left enabled would take part in every sign-in),
 * and they are removed and stopped after it.
 */
public abstract class DirectoryTestSupport extends IntegrationTestSupport {

	protected static final String BASE = "dc=example,dc=org";

	protected static final String PROVIDERS = "/api/v1/admin/identity-providers";

	protected static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	protected JdbcClient jdbc;

	private final List<InMemoryDirectoryServer> servers = new ArrayList<>();

	private final List<String> registered = new ArrayList<>();

	protected Browser admin;

	@BeforeEach
	void onlyThisTestsDirectoriesAreEnabled() {
		jdbc.sql("UPDATE identity_providers SET enabled = :off WHERE type = 'ldap'").param("off", false).update();
		admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
	}

	@AfterEach
	void removeDirectories() {
		registered.forEach(id -> admin.json("DELETE", PROVIDERS + "/" + id, null));
		servers.forEach(server -> server.shutDown(true));
	}

	/**
	 * A started directory holding {@code entries} (LDIF lines, one array per entry), with a bind
	 * account ({@code bindDn}, {@code bindPassword}; none when null), StartTLS offered with
	 * {@code tls}, and {@code interceptor} in its request path when not null.
	 */
	protected InMemoryDirectoryServer directory(@Nullable String bindDn, @Nullable String bindPassword,
			@Nullable SSLContext tls, @Nullable InMemoryOperationInterceptor interceptor, String[]... entries)
			throws Exception {
		InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
		config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("LDAP", InetAddress.getLoopbackAddress(), 0,
				tls == null ? null : tls.getSocketFactory()));
		if (bindDn != null) {
			config.addAdditionalBindCredentials(bindDn, bindPassword);
		}
		if (interceptor != null) {
			config.addInMemoryOperationInterceptor(interceptor);
		}
		InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
		server.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: example");
		server.add("dn: ou=people," + BASE, "objectClass: organizationalUnit", "ou: people");
		server.add("dn: ou=groups," + BASE, "objectClass: organizationalUnit", "ou: groups");
		for (String[] entry : entries) {
			server.add(entry);
		}
		server.startListening();
		servers.add(server);
		return server;
	}

	/** Registers a directory (the admin API's fields); its id, removed after the test. */
	protected String register(Map<String, Object> provider) {
		HttpResponse<String> created = admin.json("POST", PROVIDERS, JSON.writeValueAsString(provider));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String id = JSON.readTree(created.body()).get("id").asString();
		registered.add(id);
		return id;
	}

}
