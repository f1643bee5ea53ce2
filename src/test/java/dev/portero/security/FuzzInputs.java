package dev.portero.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hostile input for the fuzz test, as raw bytes so that byte sequences no Java string can hold
 * (overlong UTF-8, encoded surrogates, stray continuation bytes) reach the server unchanged.
 */
final class FuzzInputs {

	/** One hostile value; {@code bytes} is what goes on the wire, inside whatever encoding the request uses. */
	record Value(String label, byte[] bytes) {

		static Value of(String label, String text) {
			return new Value(label, text.getBytes(StandardCharsets.UTF_8));
		}

		static Value bytes(String label, int... bytes) {
			byte[] raw = new byte[bytes.length];
			for (int i = 0; i < bytes.length; i++) {
				raw[i] = (byte) bytes[i];
			}
			return new Value(label, raw);
		}

		/** Every byte percent-encoded, for form bodies and query strings. */
		String percentEncoded() {
			StringBuilder encoded = new StringBuilder();
			for (byte b : bytes) {
				encoded.append('%').append(String.format("%02X", b & 0xff));
			}
			return encoded.toString();
		}

		/** A JSON string literal holding the bytes; only quote, backslash and control bytes are escaped. */
		byte[] jsonString() {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			out.write('"');
			for (byte b : bytes) {
				int c = b & 0xff;
				if (c == '"' || c == '\\') {
					out.write('\\');
					out.write(c);
				}
				else if (c < 0x20) {
					out.writeBytes(String.format("\\u%04x", c).getBytes(StandardCharsets.US_ASCII));
				}
				else {
					out.write(c);
				}
			}
			out.write('"');
			return out.toByteArray();
		}

	}

	private FuzzInputs() {
	}

	/** Strings that are malformed, oversized or on the edges of Unicode. */
	static List<Value> strings() {
		List<Value> values = new ArrayList<>();
		values.add(Value.of("empty", ""));
		values.add(Value.of("blank", " \t "));
		values.add(Value.of("nul", "\u0000"));
		values.add(Value.of("nul inside", "abc\u0000def@example.test"));
		values.add(Value.of("literal %00", "%00"));
		values.add(Value.bytes("lone high surrogate (CESU bytes)", 0xED, 0xA0, 0x80));
		values.add(Value.bytes("lone low surrogate (CESU bytes)", 0x61, 0xED, 0xBF, 0xBF, 0x62));
		values.add(Value.bytes("overlong slash", 0xC0, 0xAF));
		values.add(Value.bytes("overlong NUL", 0xC0, 0x80));
		values.add(Value.bytes("overlong 3-byte", 0xE0, 0x80, 0xAF));
		values.add(Value.bytes("invalid bytes", 0xFF, 0xFE, 0xFD));
		values.add(Value.bytes("truncated sequence", 0x61, 0xE2, 0x82));
		values.add(Value.bytes("stray continuation", 0x80, 0x80));
		values.add(Value.of("RTL override", "\u202Egnp.exe"));
		values.add(Value.of("zero-width", "\u200B\u200C\u200D\u2060\uFEFF"));
		values.add(Value.of("combining marks", "e" + "\u0301".repeat(200)));
		values.add(Value.of("emoji and astral", "\uD83D\uDE00\uD800\uDC00"));
		values.add(Value.of("10k ASCII", "A".repeat(10_000)));
		values.add(Value.of("10k two-byte", "\u00E9".repeat(10_000)));
		values.add(Value.of("number", "12345"));
		values.add(Value.of("negative", "-1"));
		values.add(Value.of("huge integer", "9".repeat(400)));
		values.add(Value.of("float overflow", "1e309"));
		values.add(Value.of("NaN", "NaN"));
		values.add(Value.of("literal null", "null"));
		values.add(Value.of("path traversal", "../../../../etc/passwd"));
		values.add(Value.of("encoded traversal", "..%2f..%2f..%2fetc%2fpasswd"));
		values.add(Value.of("CRLF", "a\r\nSet-Cookie: injected=1\r\n\r\n<h1>x</h1>"));
		values.add(Value.of("encoded CRLF", "a%0d%0aSet-Cookie:%20injected=1"));
		values.add(Value.of("quotes and SQL", "' OR '1'='1' -- ;\"\\"));
		values.add(Value.of("markup", "<script>alert(1)</script>\"><img src=x>"));
		values.add(Value.of("templates", "${7*7}#{7*7}*{7*7}[[${T(Runtime).getRuntime()}]]{{7*7}}"));
		values.add(Value.of("format string", "%s%s%n%x%d"));
		values.add(Value.of("LIKE wildcards", "%_\\%\\_"));
		values.add(Value.of("address with zero-width", "ad\u200Bmin@example.test"));
		values.add(Value.of("address with RTL", "\u202Etset.elpmaxe@nimda"));
		values.add(Value.of("address with NUL", "admin@example.test\u0000.evil"));
		return List.copyOf(values);
	}

	/** JSON values of the wrong type or size, as literals. */
	static List<String> jsonLiterals() {
		return List.of("null", "true", "0", "-1", "1e400", "9".repeat(2000), "[]", "[\"a\"]", "{}", "{\"a\":1}",
				"[[[[[[]]]]]]", "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\u202e\"");
	}

	/** Whole request bodies that are not the document an endpoint expects. */
	static List<byte[]> jsonDocuments() {
		List<String> documents = new ArrayList<>(List.of("", " ", "null", "true", "123", "\"text\"", "[]", "[{}]",
				"[{\"email\":\"a@example.test\"}]", "{", "}", "{\"email\":", "{\"email\" \"x\"}", "{'email':'x'}",
				"{\"email\":\"x\",}", "{\"email\":\"a\"} trailing", "{\"email\":\"a\",\"email\":\"b\"}",
				"{\"roles\":[\"ROOT\"]}", "{\"roles\":\"ADMIN\"}", "{\"roles\":[null]}", "{\"roles\":{\"ADMIN\":true}}",
				"{\"emailVerified\":\"yes\"}", "{\"enabled\":2}", "{\"displayName\":{\"$ne\":null}}",
				"{\"__proto__\":{\"admin\":true}}", "{\"@class\":\"java.lang.Runtime\"}",
				"[" .repeat(5_000) + "]".repeat(5_000), "{\"a\":".repeat(3_000) + "1" + "}".repeat(3_000),
				"{\"" + "k".repeat(60_000) + "\":1}", "{\"displayName\":" + "1".repeat(5_000) + "}",
				"{\"email\":1e99999}", "\uFEFF{\"email\":\"bom@example.test\"}"));
		List<byte[]> bytes = new ArrayList<>(documents.stream().map(d -> d.getBytes(StandardCharsets.UTF_8)).toList());
		bytes.add(new byte[] { '{', '"', 'e', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}' });
		bytes.add(new byte[] { '{', '"', 'e', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}' });
		bytes.add(new byte[] { (byte) 0xFF, (byte) 0xFE, '{', 0, '}', 0 });
		bytes.add(new byte[] { 0, 0, 0, 0 });
		return bytes;
	}

	/** Ids for {@code /api/v1/admin/users/{id}}, already encoded for the path. */
	static List<String> hostileIds() {
		return List.of("..", "..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%252f..%252fetc",
				"%00", "00000000-0000-0000-0000-000000000000%00", "%0d%0aSet-Cookie:%20x=1", "%C0%AF", "%ED%A0%80",
				"%FF", "x".repeat(5_000), "-1", "9".repeat(400), "null", "%20", "%E2%80%AE", "%E2%80%8B",
				"00000000-0000-0000-0000-00000000000G", "00000000-0000-0000-0000-0000000000000",
				"%7B%7D", "%5B%5D", "';--", "*", "..;", "%3B");
	}

	/** Sends bytes as they are over a fresh connection; returns everything the server answered. */
	static String raw(int port, byte[] request) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write(request);
			out.flush();
			socket.shutdownOutput();
			InputStream in = socket.getInputStream();
			return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static int rawStatus(String response) {
		if (!response.startsWith("HTTP/1.1 ")) {
			return -1;
		}
		return Integer.parseInt(response.substring(9, 12));
	}

}
