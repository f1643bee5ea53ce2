package dev.portero.web;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The pause between "not ready" and "port closed" when the server stops.
 *
 * <p>On close, Spring Boot marks the application {@code REFUSING_TRAFFIC} at once (the readiness
 * probe answers 503), then stops lifecycle beans from the highest phase down: Tomcat's graceful
 * shutdown closes the public port at phase {@code MAX_VALUE - 1024} and the management server
 * stops at {@code MAX_VALUE - 1536}. A load balancer needs a few health-check intervals to see the
 * 503 (and Kubernetes removes a terminating pod from its Service endpoints only eventually), so
 * without a pause requests still sent to this node would meet a closed port. This bean sits in
 * the highest phase and waits {@code drain-delay} there, while both ports keep serving.
 */
@Component
@ConditionalOnWebApplication // the server drains, the command-line tools have nothing to drain
class ShutdownDrain implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ShutdownDrain.class);

	private final Duration drainDelay;

	private volatile boolean running;

	ShutdownDrain(ShutdownSettings settings) {
		this.drainDelay = settings.drainDelay();
	}

	@Override
	public void start() {
		running = true;
	}

	@Override
	public void stop() {
		running = false;
		if (drainDelay.isZero()) {
			return;
		}
		log.info("Shutting down: readiness is DOWN; still serving for {} ms so load balancers move traffic away",
				drainDelay.toMillis());
		try {
			Thread.sleep(drainDelay);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		log.info("Drain over: closing the public port and waiting for requests in flight");
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	/** Stopped first: before the web server's graceful shutdown and the management server. */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE;
	}

}
