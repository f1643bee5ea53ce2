package dev.portero.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.portero.ops.ExternalTool;

/**
 * A certificate for {@code localhost} and {@code 127.0.0.1} made by openssl for one test, the
 * way an operator gives one to the load balancer: as one PEM file with certificate and key
 * (HAProxy's {@code crt}). Clients trust exactly this certificate: the JDK's through
 * {@link #sslContext()}, Chromium through its SPKI pin ({@link #spkiSha256()}), so that host-name
 * checks and everything else about TLS stay as strict as with a real certificate.
 */
record SelfSignedTls(Path certificate, Path combinedPem) {

	static SelfSignedTls create(Path dir) throws IOException {
		Files.createDirectories(dir);
		Path certificate = dir.resolve("localhost.crt");
		Path key = dir.resolve("localhost.key");
		ExternalTool.selfSignedCertificate(certificate, key, "DNS:localhost", "IP:127.0.0.1");
		Path pem = Files.writeString(dir.resolve("localhost.pem"), Files.readString(certificate) + Files.readString(key));
		return new SelfSignedTls(certificate, pem);
	}

	X509Certificate x509() {
		try (InputStream in = Files.newInputStream(certificate)) {
			return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A TLS context that trusts this certificate and nothing else. */
	SSLContext sslContext() {
		try {
			KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
			trust.load(null, null);
			trust.setCertificateEntry("localhost", x509());
			TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			factory.init(trust);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, factory.getTrustManagers(), null);
			return context;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Base64 SHA-256 of the public key, as Chromium's {@code --ignore-certificate-errors-spki-list} takes it. */
	String spkiSha256() {
		try {
			return Base64.getEncoder()
				.encodeToString(MessageDigest.getInstance("SHA-256").digest(x509().getPublicKey().getEncoded()));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
