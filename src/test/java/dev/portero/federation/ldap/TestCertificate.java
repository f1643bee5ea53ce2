package dev.portero.federation.ldap;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key pair and self-signed certificate for {@code localhost} only (made by the JDK's keytool, so
 * no test library is needed): the server's TLS context holds it, the client's trusts it, and
 * nothing else in the JVM does.
 */
record TestCertificate(SSLContext server, SSLContext client) {

	private static final char[] PASSWORD = "changeit".toCharArray();

	static TestCertificate forLocalhost(Path directory) throws Exception {
		Path file = directory.resolve("server.p12");
		Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
				"-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
				"-ext", "san=dns:localhost", "-validity", "2", "-keystore", file.toString(), "-storetype", "PKCS12",
				"-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
			.redirectErrorStream(true)
			.start();
		String output = new String(keytool.getInputStream().readAllBytes());
		assertThat(keytool.waitFor()).as(output).isZero();
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(file)) {
			store.load(in, PASSWORD);
		}
		KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		keys.init(store, PASSWORD);
		SSLContext server = SSLContext.getInstance("TLS");
		server.init(keys.getKeyManagers(), null, null);
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(store);
		SSLContext client = SSLContext.getInstance("TLS");
		client.init(null, trust.getTrustManagers(), null);
		return new TestCertificate(server, client);
	}

}
