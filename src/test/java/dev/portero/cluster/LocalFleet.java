package dev.portero.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Portero nodes as a VM fleet runs them, on loopback: each node is a directory with its jar, its
 * settings (an {@code env} file) and a pid file, driven by a generated {@code node-ctl} script
 * ({@code start}, {@code stop}, {@code alive}) that both the test and {@code ops/deploy/rolling-deploy}
 * use, the way systemd units would be. HAProxy runs in the foreground as a child process with a
 * configuration derived from {@code ops/haproxy/haproxy.cfg}. Closing the fleet ends every process
 * it started, by pid.
 */
final class LocalFleet implements AutoCloseable {

	static final Path JAR = Path.of("target/portero.jar").toAbsolutePath();

	private static final Path SHIPPED_HAPROXY_CFG = Path.of("ops/haproxy/haproxy.cfg");

	final Path root;

	final Path nodeCtl;

	/** Every node listens on these ports, each on its own loopback address (127.0.0.2, ...). */
	final int port = freePort();

	final int managementPort = freePort();

	private final Map<String, Node> nodes = new LinkedHashMap<>();

	private Process haproxy;

	/** Ends the nodes if the test JVM ends without closing the fleet (they are not its children). */
	private final Thread cleanup = new Thread(this::stopAll);

	private int haproxyPort;

	private int httpsPort;

	private int statsPort;

	private Path haproxyLog;

	LocalFleet(Path root) throws IOException {
		this.root = Files.createDirectories(root);
		Runtime.getRuntime().addShutdownHook(cleanup);
		this.nodeCtl = root.resolve("node-ctl");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Files.writeString(nodeCtl, """
				#!/usr/bin/env bash
				# node-ctl start|stop|alive NODE: what systemctl start/stop/is-active do for a real node
				set -uo pipefail
				dir="%s/$2"
				case "$1" in
				  start)
				    mapfile -t settings < "$dir/env"
				    cd "$dir" || exit 1
				    nohup env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 "${settings[@]}" \\
				      "%s" --enable-native-access=ALL-UNNAMED -Xmx384m -jar "$dir/portero.jar" serve \\
				      >>"$dir/console.log" 2>&1 </dev/null &
				    echo $! > "$dir/pid" ;;
				  stop)
				    pid="$(cat "$dir/pid" 2>/dev/null)" || exit 0
				    kill -TERM "$pid" 2>/dev/null || exit 0
				    for _ in $(seq 1 400); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
				    echo "node-ctl: $2 still runs 40 s after SIGTERM" >&2; exit 1 ;;
				  alive)
				    kill -0 "$(cat "$dir/pid")" 2>/dev/null ;;
				  *) exit 64 ;;
				esac
				""".formatted(root, java));
		Files.setPosixFilePermissions(nodeCtl, PosixFilePermissions.fromString("rwx------"));
	}

	/**
	 * A node named by its own loopback address (so that one URL template with {@code {node}} fits
	 * every node, as host names do in a fleet), with its directory and a copy of the current jar;
	 * not started.
	 */
	Node addNode(String address, Map<String, String> settings) throws IOException {
		Path dir = Files.createDirectories(root.resolve(address));
		Files.createDirectories(dir.resolve("data"));
		Files.copy(JAR, dir.resolve("portero.jar"), StandardCopyOption.REPLACE_EXISTING);
		Node node = new Node(address, dir);
		node.writeSettings(settings);
		nodes.put(address, node);
		return node;
	}

	List<Node> nodes() {
		return List.copyOf(nodes.values());
	}

	/** Runs {@code node-ctl ACTION NODE}; true when it succeeded. */
	boolean nodeCtl(String action, String node) {
		try {
			Process process = new ProcessBuilder(nodeCtl.toString(), action, node).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				return false;
			}
			return process.exitValue() == 0;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Starts HAProxy with the shipped configuration adapted to loopback: this test's ports, no TLS
	 * (no https redirect), no chroot, user, daemon or syslog, the nodes' own management ports for
	 * the checks, and longer client keep-alive (the JDK client reuses idle connections for minutes
	 * and retries by itself only GETs, where a browser retries any request on a connection the
	 * proxy closed). The health-check timing, retries and balancing are kept as shipped.
	 */
	void startHaproxy() throws IOException {
		startHaproxy(null);
	}

	/**
	 * Starts HAProxy with the shipped configuration as an operator runs it on one host, TLS
	 * included: changed are only the listening ports ({@link #haproxyHttpsUrl()}, plain http on
	 * {@link #haproxyUrl()}), the certificate's path, the servers (the nodes with their own
	 * management ports for the checks) and what a foreground child process cannot have (chroot,
	 * user, group, daemon, the syslog socket and the stats socket's path).
	 */
	void startHaproxy(SelfSignedTls tls) throws IOException {
		haproxyPort = freePort();
		httpsPort = tls == null ? 0 : httpsPort != 0 ? httpsPort : freePort();
		statsPort = freePort();
		Path cfg = root.resolve("haproxy.cfg");
		Files.writeString(cfg, derivedHaproxyConfig(tls));
		Path haproxyBinary = Files.isExecutable(Path.of("/usr/sbin/haproxy")) ? Path.of("/usr/sbin/haproxy")
				: Path.of("haproxy");
		haproxyLog = root.resolve("haproxy.log");
		haproxy = new ProcessBuilder(haproxyBinary.toString(), "-db", "-f", cfg.toString()).redirectErrorStream(true)
			.redirectOutput(haproxyLog.toFile())
			.start();
	}

	String derivedHaproxyConfig(SelfSignedTls tls) throws IOException {
		StringBuilder out = new StringBuilder();
		for (String line : Files.readAllLines(SHIPPED_HAPROXY_CFG)) {
			String trimmed = line.trim();
			if (trimmed.startsWith("log /dev/log") || trimmed.startsWith("chroot ") || trimmed.startsWith("stats socket")
					|| trimmed.startsWith("user ") || trimmed.startsWith("group ") || trimmed.equals("daemon")
					|| trimmed.matches("#?\\s*server portero\\d.*")) {
				continue;
			}
			if (tls == null && (trimmed.startsWith("bind :443") || trimmed.startsWith("http-request redirect scheme https"))) {
				continue;
			}
			if (trimmed.equals("bind :80")) {
				line = "    bind 127.0.0.1:" + haproxyPort;
			}
			else if (trimmed.startsWith("bind :443")) {
				line = line.replace("bind :443", "bind 127.0.0.1:" + httpsPort)
					.replace("/etc/haproxy/certs/portero.pem", tls.combinedPem().toString());
			}
			else if (trimmed.startsWith("bind 127.0.0.1:8404")) {
				line = "    bind 127.0.0.1:" + statsPort;
			}
			else if (tls == null && (trimmed.startsWith("timeout http-keep-alive") || trimmed.startsWith("timeout client"))) {
				line = line.replaceAll("\\d+s", "120s");
			}
			out.append(line).append('\n');
			if (trimmed.startsWith("default-server")) {
				for (Node node : nodes.values()) {
					out.append("    server ").append(node.name).append(' ').append(node.name).append(':').append(port)
						.append(" port ").append(managementPort).append('\n');
				}
			}
		}
		return out.toString();
	}

	/**
	 * The longest time HAProxy may take to stop sending traffic to a node that turned unready, from
	 * the shipped check timing: {@code inter + (fall - 1) x fastinter + timeout check}.
	 */
	static Duration worstCaseDetection() throws IOException {
		String cfg = Files.readString(SHIPPED_HAPROXY_CFG);
		return seconds(cfg, "default-server[^\\n]* inter (\\S+)")
			.plus(seconds(cfg, "default-server[^\\n]* fastinter (\\S+)")
				.multipliedBy(Integer.parseInt(find(cfg, "default-server[^\\n]* fall (\\d+)")) - 1))
			.plus(seconds(cfg, "\\n\\s*timeout check (\\S+)"));
	}

	private static Duration seconds(String cfg, String regex) {
		String value = find(cfg, regex);
		return value.endsWith("ms") ? Duration.ofMillis(Long.parseLong(value.replace("ms", "")))
				: Duration.ofSeconds(Long.parseLong(value.replace("s", "")));
	}

	private static String find(String text, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(text);
		if (!matcher.find()) {
			throw new AssertionError("not in haproxy.cfg: " + regex);
		}
		return matcher.group(1);
	}

	String haproxyUrl() {
		return "http://127.0.0.1:" + haproxyPort;
	}

	/** HAProxy's TLS port as clients name it (the certificate is for localhost). */
	String haproxyHttpsUrl() {
		return "https://localhost:" + httpsPort;
	}

	/** The https port, known before HAProxy starts so that the nodes' base URL can name it. */
	int reserveHttpsPort() {
		return httpsPort = freePort();
	}

	String statsCsvUrl() {
		return "http://127.0.0.1:" + statsPort + "/stats;csv";
	}

	/** The server's status as HAProxy sees it ({@code UP}, {@code DOWN}, {@code UP 1/2}, ...). */
	String haproxyStatus(String server) {
		try {
			HttpResponse<String> csv = PROBES.send(HttpRequest.newBuilder(URI.create(statsCsvUrl())).timeout(Duration.ofSeconds(5)).build(),
						HttpResponse.BodyHandlers.ofString());
			return csv.body()
				.lines()
				.map(line -> line.split(","))
				.filter(fields -> fields.length > 17 && fields[0].equals("portero_nodes") && fields[1].equals(server))
				.map(fields -> fields[17])
				.findFirst()
				.orElse("?");
		}
		catch (IOException ex) {
			return "unreachable";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "?";
		}
	}

	/** Waits until HAProxy has {@code server} in the given state; returns how long that took. */
	Duration awaitHaproxyStatus(String server, String status, Duration timeout) {
		long start = System.nanoTime();
		while (!haproxyStatus(server).equals(status)) {
			if (System.nanoTime() - start > timeout.toNanos()) {
				throw new AssertionError("HAProxy does not see " + server + " " + status + " within " + timeout
						+ " (it is " + haproxyStatus(server) + ")");
			}
			sleep(100);
		}
		return Duration.ofNanos(System.nanoTime() - start);
	}

	/**
	 * A broken build: the current jar plus a new migration {@code V9999__broken_build.sql} that fails
	 * (it creates a table, then selects from one that does not exist). Its version is past any real
	 * one, so that it fails as a new migration would, not as a duplicate version (which Flyway refuses
	 * before running anything). A node started on it dies
	 * during start-up, as with any release whose migration fails on the production data; the
	 * migration runs in a transaction, so nothing of it stays in the database.
	 */
	Path brokenJar() throws IOException {
		Path broken = root.resolve("portero-broken.jar");
		String sql = "CREATE TABLE broken_build_marker (id INTEGER);\nSELECT * FROM table_that_does_not_exist;\n";
		try (ZipFile jar = new ZipFile(JAR.toFile());
				ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(broken))) {
			for (Enumeration<? extends ZipEntry> entries = jar.entries(); entries.hasMoreElements();) {
				ZipEntry entry = entries.nextElement();
				ZipEntry copy = new ZipEntry(entry); // keeps STORED entries stored, as the launcher needs
				if (copy.getMethod() == ZipEntry.DEFLATED) {
					copy.setCompressedSize(-1);
				}
				out.putNextEntry(copy);
				try (InputStream in = jar.getInputStream(entry)) {
					in.transferTo(out);
				}
				out.closeEntry();
			}
			for (String engine : List.of("sqlite", "postgresql")) {
				out.putNextEntry(new ZipEntry("BOOT-INF/classes/db/migration/" + engine + "/V9999__broken_build.sql"));
				out.write(sql.getBytes(StandardCharsets.UTF_8));
				out.closeEntry();
			}
		}
		return broken;
	}

	@Override
	public void close() {
		stopAll();
		try {
			Runtime.getRuntime().removeShutdownHook(cleanup);
		}
		catch (IllegalStateException ex) {
			// the JVM is ending and runs the hook anyway
		}
	}

	private void stopAll() {
		for (Node node : nodes.values()) {
			node.pid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
		}
		if (haproxy != null) {
			haproxy.destroy();
			try {
				if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
					haproxy.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				haproxy.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}
	}

	String haproxyLog() throws IOException {
		return haproxyLog == null ? "" : Files.readString(haproxyLog);
	}

	/** One node: its directory, ports and process (found by its pid file). */
	final class Node {

		final String name;

		final Path dir;

		Node(String name, Path dir) {
			this.name = name;
			this.dir = dir;
		}

		/** The node's settings from its next start: {@code settings} plus its address and ports. */
		void writeSettings(Map<String, String> settings) throws IOException {
			Map<String, String> env = new LinkedHashMap<>(settings);
			env.put("SERVER_ADDRESS", name);
			env.put("SERVER_PORT", String.valueOf(port));
			env.put("MANAGEMENT_SERVER_ADDRESS", name);
			env.put("MANAGEMENT_SERVER_PORT", String.valueOf(managementPort));
			env.putIfAbsent("PORTERO_DATA_DIR", dir.resolve("data").toString());
			List<String> lines = new ArrayList<>();
			env.forEach((key, value) -> lines.add(key + "=" + value));
			Files.write(dir.resolve("env"), lines);
		}

		String baseUrl() {
			return "http://" + name + ":" + port;
		}

		String managementUrl() {
			return "http://" + name + ":" + managementPort;
		}

		Optional<Long> pid() {
			try {
				return Optional.of(Long.parseLong(Files.readString(dir.resolve("pid")).trim()));
			}
			catch (IOException | NumberFormatException ex) {
				return Optional.empty();
			}
		}

		Optional<ProcessHandle> process() {
			return pid().flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
		}

		void start() {
			if (!nodeCtl("start", name)) {
				throw new AssertionError("node-ctl start " + name + " failed");
			}
		}

		/** SIGTERM, as systemd sends it. */
		void terminate() {
			process().orElseThrow(() -> new AssertionError(name + " is not running")).destroy();
		}

		/** SIGKILL: the node ends at once, mid-request. */
		void kill() {
			process().orElseThrow(() -> new AssertionError(name + " is not running")).destroyForcibly();
		}

		void awaitExit(Duration timeout) {
			Optional<ProcessHandle> process = process();
			if (process.isEmpty()) {
				return;
			}
			try {
				process.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (Exception ex) {
				throw new AssertionError(name + " still runs " + timeout + " later:\n" + tail());
			}
		}

		boolean ready() {
			return status(managementUrl() + "/actuator/health/readiness") == 200;
		}

		void awaitReady(Duration timeout) {
			long deadline = System.nanoTime() + timeout.toNanos();
			while (!ready()) {
				if (System.nanoTime() > deadline) {
					throw new AssertionError(name + " not ready within " + timeout + ":\n" + tail());
				}
				if (process().isEmpty()) {
					throw new AssertionError(name + " exited before it was ready:\n" + tail());
				}
				sleep(250);
			}
		}

		String tail() {
			try {
				String all = Files.readString(dir.resolve("console.log"));
				return all.length() <= 6000 ? all : "..." + all.substring(all.length() - 6000);
			}
			catch (IOException ex) {
				return "(no console.log)";
			}
		}

	}

	private static final HttpClient PROBES = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	static int status(String url) {
		try {
			return PROBES.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(8)).build(),
						HttpResponse.BodyHandlers.discarding())
				.statusCode();
		}
		catch (IOException ex) {
			return -1;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
