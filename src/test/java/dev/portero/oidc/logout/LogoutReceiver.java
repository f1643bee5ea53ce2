package dev.portero.oidc.logout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import dev.portero.support.OidcTokenFlows;

/**
 * A relying party's back-channel logout endpoint on a loopback port: records every request
 * (content type and logout token), and answers 200, or 503 to the first {@code failFirst} ones.
 */
final class LogoutReceiver implements AutoCloseable {

	/** One request as received. */
	record Received(String contentType, String logoutToken, String body) {
	}

	private final HttpServer server;

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private final AtomicInteger failuresLeft;

	private LogoutReceiver(int port, int failFirst) {
		this.failuresLeft = new AtomicInteger(failFirst);
		try {
			server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		server.createContext("/backchannel-logout", exchange -> {
			String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.US_ASCII);
			int status;
			if (failuresLeft.getAndDecrement() > 0) {
				status = 503;
			}
			else {
				received.add(new Received(exchange.getRequestHeaders().getFirst("Content-Type"), token(body), body));
				status = 200;
			}
			exchange.getResponseHeaders().add("Cache-Control", "no-store");
			exchange.sendResponseHeaders(status, -1);
			exchange.close();
		});
		server.start();
	}

	/** A receiver on a free loopback port that answers 200. */
	static LogoutReceiver start() {
		return new LogoutReceiver(0, 0);
	}

	/** A receiver that answers 503 to its first {@code failFirst} requests. */
	static LogoutReceiver failingFirst(int failFirst) {
		return new LogoutReceiver(0, failFirst);
	}

	/** A receiver on the given port (one that nothing listened on before). */
	static LogoutReceiver on(int port) {
		return new LogoutReceiver(port, 0);
	}

	String uri() {
		return uri(server.getAddress().getPort());
	}

	static String uri(int port) {
		return "http://127.0.0.1:" + port + "/backchannel-logout";
	}

	List<Received> received() {
		return new ArrayList<>(received);
	}

	/** How many requests were refused with 503. */
	int refused(int failFirst) {
		return Math.min(failFirst, failFirst - failuresLeft.get());
	}

	/** Waits for {@code count} delivered tokens; returns them. */
	List<Received> await(int count) {
		OidcTokenFlows.await(Duration.ofSeconds(20), count + " logout token(s) at " + uri(), () -> received.size() >= count);
		return received();
	}

	@Override
	public void close() {
		server.stop(0);
	}

	private static String token(String body) {
		for (String pair : body.split("&")) {
			if (pair.startsWith("logout_token=")) {
				return URLDecoder.decode(pair.substring("logout_token=".length()), StandardCharsets.US_ASCII);
			}
		}
		return null;
	}

}
