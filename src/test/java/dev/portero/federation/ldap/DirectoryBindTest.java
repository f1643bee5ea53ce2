package dev.portero.federation.ldap;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How entry attribute values become text: Active Directory's objectGUID above all. */
class DirectoryBindTest {

	@Test
	void anObjectGuidReadsAsActiveDirectoryShowsIt() {
		// Get-ADUser shows 5c6de12c-4f3f-4ebe-9f7a-db1da21a5c53 for these bytes: the first three
		// fields are stored little-endian, the last eight as they are
		byte[] stored = HexFormat.of().parseHex("2ce16d5c3f4fbe4e9f7adb1da21a5c53");

		assertThat(DirectoryBind.text("objectGUID", stored)).isEqualTo("5c6de12c-4f3f-4ebe-9f7a-db1da21a5c53");
		assertThat(DirectoryBind.text("objectguid", stored)).as("attribute names ignore case")
			.isEqualTo("5c6de12c-4f3f-4ebe-9f7a-db1da21a5c53");
	}

	@Test
	void otherValuesAreTheirTextOrBase64() {
		assertThat(DirectoryBind.text("entryUUID", "0b4a6c5e-2f0a-4f0e-8d6c-1f2e3d4c5b6a"))
			.isEqualTo("0b4a6c5e-2f0a-4f0e-8d6c-1f2e3d4c5b6a");
		assertThat(DirectoryBind.text("objectSid", new byte[] { 1, 2, (byte) 0xff })).isEqualTo("AQL_");
	}

}
