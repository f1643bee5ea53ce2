package dev.portero.account;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordPolicyTest {

	private static final String EMAIL = "jordan.rivers@example.test";

	private static final String NAME = "Jordan Rivers";

	private final PasswordPolicy policy = new PasswordPolicy(
			new PasswordSettings(12, 128, 35, new PasswordSettings.Argon2(19456, 2, 1), 0, java.time.Duration.ofSeconds(2)));

	@Test
	void refusesPasswordsShorterThanTheMinimum() {
		assertThat(check("k7#Qz!m2Lp9")).as("11 characters").singleElement().asString().contains("at least 12 characters");
	}

	@Test
	void acceptsAnUnguessablePasswordOfExactlyTheMinimumLength() {
		assertThat(check("k7#Qz!m2Lp9w")).isEmpty();
	}

	@Test
	void refusesPasswordsLongerThanTheMaximum() {
		assertThat(check(randomPassword(129))).singleElement().asString().contains("at most 128 characters");
	}

	@Test
	void acceptsAnUnguessablePasswordOfExactlyTheMaximumLength() {
		assertThat(check(randomPassword(128))).isEmpty();
	}

	@Test
	void countsCharactersNotUtf16Units() {
		// Six emoji are twelve UTF-16 units but only six characters.
		assertThat(check("😀🐢🌵🎲🚲🧭")).singleElement().asString().contains("at least 12 characters");
	}

	@Test
	void refusesCommonPasswords() {
		for (String common : List.of("password1234", "qwertyuiop123", "123456789012", "iloveyou2024!")) {
			assertThat(check(common)).as(common).anySatisfy(reason -> assertThat(reason).contains("too common or too easy to guess"));
		}
	}

	@Test
	void acceptsALongRandomPassphrase() {
		assertThat(check("ochre lantern vivid marsupial tambourine")).isEmpty();
		assertThat(check("copper-meadow-falcon-31")).isEmpty();
	}

	@Test
	void refusesThePartOfTheEmailAddressBeforeTheAt() {
		assertThat(policy.check("ochre-walrus-nephews-sail", "nephews@example.test", "Pat Lee"))
			.anySatisfy(reason -> assertThat(reason).contains("your e-mail address or your name"));
	}

	@Test
	void refusesTheWholeEmailAddress() {
		// The local part and the name parts are too short to count here: only the whole address matches.
		assertThat(policy.check("ochre-JO@EX.TEST-walrus-sail", "jo@ex.test", "Al Li"))
			.anySatisfy(reason -> assertThat(reason).contains("your e-mail address or your name"));
	}

	@Test
	void refusesTheDisplayNameOrAPartOfIt() {
		assertThat(check("tangerine-jordan-skyline-88"))
			.anySatisfy(reason -> assertThat(reason).contains("your e-mail address or your name"));
		assertThat(check("Quiet-RIVERS-tumble-down-7"))
			.anySatisfy(reason -> assertThat(reason).contains("your e-mail address or your name"));
	}

	@Test
	void ignoresNamePartsTooShortToMatter() {
		// Parts under four characters ("al", "li") would refuse far too many honest passwords.
		assertThat(policy.check("albatross-violin-lighthouse-42", "al@example.test", "Al Li")).isEmpty();
	}

	private List<String> check(String password) {
		return policy.check(password, EMAIL, NAME);
	}

	/** Letters, digits and symbols from a fixed seed: unguessable to the estimator, and repeatable. */
	private static String randomPassword(int length) {
		String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%&*+-=?@";
		Random random = new Random(20_240_601L);
		StringBuilder password = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			password.append(alphabet.charAt(random.nextInt(alphabet.length())));
		}
		return password.toString();
	}

}
