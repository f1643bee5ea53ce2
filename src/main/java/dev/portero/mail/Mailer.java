package dev.portero.mail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

import dev.portero.config.PorteroSettings;

/**
 * Sends mail over SMTP when {@code spring.mail.host} is set. Without it (development only: the prod
 * profile refuses to start so), each message is written to {@code <data dir>/outbox/} and logged,
 * so links can be followed without a mail server.
 */
@Component
class Mailer {

	private static final Logger log = LoggerFactory.getLogger(Mailer.class);

	private final @Nullable JavaMailSender smtp;

	private final MailSettings settings;

	private final Path outbox;

	private final Clock clock;

	private final AtomicLong sequence = new AtomicLong();

	private final io.micrometer.core.instrument.MeterRegistry registry;

	Mailer(ObjectProvider<JavaMailSender> smtp, MailSettings settings, PorteroSettings core, Clock clock,
			io.micrometer.core.instrument.MeterRegistry registry) {
		this.registry = registry;
		counter("sent");
		counter("failed");
		this.smtp = smtp.getIfAvailable();
		this.settings = settings;
		this.outbox = core.dataDir().resolve("outbox");
		this.clock = clock;
	}

	void send(Mail mail) {
		try {
			deliver(mail);
			counter("sent").increment();
		}
		catch (RuntimeException ex) {
			counter("failed").increment();
			throw ex;
		}
	}

	private io.micrometer.core.instrument.Counter counter(String result) {
		return io.micrometer.core.instrument.Counter.builder("portero.emails")
			.description("E-mails handed to the SMTP server (or the dev outbox), by result")
			.tag("result", result)
			.register(registry);
	}

	private void deliver(Mail mail) {
		if (smtp != null) {
			SimpleMailMessage message = new SimpleMailMessage();
			message.setFrom(settings.from());
			message.setTo(mail.to());
			message.setSubject(mail.subject());
			message.setText(mail.body());
			smtp.send(message);
			log.info("Sent \"{}\" e-mail", mail.subject());
			return;
		}
		writeToOutbox(mail);
	}

	private void writeToOutbox(Mail mail) {
		try {
			Files.createDirectories(outbox);
			String name = clock.millis() + "-" + sequence.incrementAndGet() + ".eml";
			String text = "From: " + settings.from() + "\nTo: " + mail.to() + "\nSubject: " + mail.subject() + "\n\n"
					+ mail.body();
			Files.writeString(outbox.resolve(name), text, StandardCharsets.UTF_8);
			// the body holds links with tokens: the file has it, the log never does
			log.warn("No SMTP server configured (dev): e-mail \"{}\" written to {}", mail.subject(), outbox.resolve(name));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write to the outbox " + outbox, ex);
		}
	}

}
