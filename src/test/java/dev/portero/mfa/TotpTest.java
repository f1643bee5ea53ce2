package dev.portero.mfa;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TotpTest {

	private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

	@Test
	void matchesTheTestVectorsOfRfc6238() {
		assertThat(Totp.code(RFC_SECRET, Totp.stepAt(59), 8, "HmacSHA1")).isEqualTo("94287082");
		assertThat(Totp.code(RFC_SECRET, Totp.stepAt(1111111109), 8, "HmacSHA1")).isEqualTo("07081804");
		assertThat(Totp.code(RFC_SECRET, Totp.stepAt(1111111111), 8, "HmacSHA1")).isEqualTo("14050471");
		assertThat(Totp.code(RFC_SECRET, Totp.stepAt(1234567890), 8, "HmacSHA1")).isEqualTo("89005924");
		assertThat(Totp.code(RFC_SECRET, Totp.stepAt(2000000000), 8, "HmacSHA1")).isEqualTo("69279037");
		assertThat(Totp.code(RFC_SECRET, Totp.stepAt(20000000000L), 8, "HmacSHA1")).isEqualTo("65353130");
	}

	@Test
	void acceptsOneStepOfDriftAndNoMore() {
		long now = 1_700_000_000L;
		long step = Totp.stepAt(now);
		assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step - 1), now)).hasValue(step - 1);
		assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step + 1), now)).hasValue(step + 1);
		assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step - 2), now)).isEmpty();
	}

	@Test
	void refusesMalformedCodes() {
		assertThat(Totp.matchingStep(RFC_SECRET, "12345", 59)).isEmpty();
		assertThat(Totp.matchingStep(RFC_SECRET, "abcdef", 59)).isEmpty();
		assertThat(Totp.matchingStep(RFC_SECRET, null, 59)).isEmpty();
	}

	@Test
	void encodesBase32AsRfc4648() {
		assertThat(Base32.encode("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
		assertThat(Base32.encode(RFC_SECRET)).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	}

}
