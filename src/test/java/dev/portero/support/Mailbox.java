package dev.portero.support;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;

/** The messages the in-process SMTP server received, by recipient. */
public class Mailbox {

	private static final Pattern LINK = Pattern.compile("(https?://\\S+)");

	private final GreenMail mail;

	Mailbox(GreenMail mail) {
		this.mail = mail;
	}

	/** Messages to the address so far (mail is sent asynchronously: wait with {@link #await}). */
	public List<Message> to(String address) {
		return Arrays.stream(mail.getReceivedMessages()).filter(message -> isTo(message, address)).map(Message.class::cast).toList();
	}

	/** Waits up to 10 s until the address has received {@code count} messages; returns the last one. */
	public Message await(String address, int count) {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
		while (Instant.now().isBefore(deadline)) {
			List<Message> messages = to(address);
			if (messages.size() >= count) {
				return messages.get(count - 1);
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		throw new AssertionError("no message #" + count + " to " + address + " within 10 s");
	}

	/** Waits for the {@code count}-th message to the address and returns the first link in it. */
	public String awaitLink(String address, int count) {
		return linkIn(await(address, count));
	}

	public static String body(Message message) {
		return GreenMailUtil.getBody(message).replace("=\r\n", "").replace("=3D", "=");
	}

	public static String subject(Message message) {
		try {
			return message.getSubject();
		}
		catch (MessagingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static String linkIn(Message message) {
		Matcher matcher = LINK.matcher(body(message));
		if (!matcher.find()) {
			throw new AssertionError("no link in:\n" + body(message));
		}
		return matcher.group(1);
	}

	private static boolean isTo(Message message, String address) {
		try {
			return Arrays.stream(message.getAllRecipients())
				.anyMatch(r -> r instanceof InternetAddress ia && ia.getAddress().equalsIgnoreCase(address));
		}
		catch (MessagingException ex) {
			return false;
		}
	}

}
