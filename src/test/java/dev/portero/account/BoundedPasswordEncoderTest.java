package dev.portero.account;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.password.PasswordEncoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedPasswordEncoderTest {

	private static final io.micrometer.core.instrument.Timer TIMER = io.micrometer.core.instrument.Timer
		.builder("test")
		.register(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());


	@Test
	void sizesSlotsFromCoresAndHeap() {
		assertThat(BoundedPasswordEncoder.permitsFor(2, 256L << 20, 19456)).as("256 MiB heap, 2 cores").isEqualTo(2);
		assertThat(BoundedPasswordEncoder.permitsFor(16, 256L << 20, 19456)).as("memory bounds it").isEqualTo(3);
		assertThat(BoundedPasswordEncoder.permitsFor(4, 32L << 20, 19456)).as("never zero").isEqualTo(1);
	}

	@Test
	void refusesAtOnceWhenEverySlotStaysTaken() throws Exception {
		CountDownLatch inside = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		PasswordEncoder slow = new PasswordEncoder() {
			@Override
			public String encode(CharSequence raw) {
				inside.countDown();
				try {
					release.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				return "x";
			}

			@Override
			public boolean matches(CharSequence raw, String encoded) {
				return true;
			}
		};
		BoundedPasswordEncoder bounded = new BoundedPasswordEncoder(slow, 1, Duration.ofMillis(100), TIMER);
		Thread holder = Thread.ofVirtual().start(() -> bounded.encode("a"));
		inside.await();
		long started = System.nanoTime();
		assertThatThrownBy(() -> bounded.matches("b", "x")).isInstanceOf(HashingBusy.class);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
		release.countDown();
		holder.join();
		assertThat(bounded.matches("b", "x")).as("the slot is free again").isTrue();
	}

	@Test
	void hashesOffTheCallersVirtualThreadSoOtherRequestsKeepRunning() throws Exception {
		PasswordEncoder where = new PasswordEncoder() {
			@Override
			public String encode(CharSequence raw) {
				return Thread.currentThread().isVirtual() ? "virtual" : "platform";
			}

			@Override
			public boolean matches(CharSequence raw, String encoded) {
				return !Thread.currentThread().isVirtual();
			}
		};
		try (BoundedPasswordEncoder bounded = new BoundedPasswordEncoder(where, 1, Duration.ofSeconds(1), TIMER)) {
			String[] seen = new String[2];
			Thread.ofVirtual().start(() -> {
				seen[0] = bounded.encode("a");
				seen[1] = String.valueOf(bounded.matches("a", "x"));
			}).join();
			assertThat(seen).containsExactly("platform", "true");
		}
	}

}
