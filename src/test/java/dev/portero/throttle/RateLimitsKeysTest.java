package dev.portero.throttle;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitsKeysTest {

	@Test
	void ipv4AddressesShareTheirSlash24Network() throws Exception {
		assertThat(RateLimits.networkKey(InetAddress.getByName("192.0.2.10")))
			.isEqualTo(RateLimits.networkKey(InetAddress.getByName("192.0.2.200")));
		assertThat(RateLimits.addressKey(InetAddress.getByName("192.0.2.10")))
			.isNotEqualTo(RateLimits.addressKey(InetAddress.getByName("192.0.2.200")));
	}

	@Test
	void anIpv6Slash64CountsAsOneAddress() throws Exception {
		assertThat(RateLimits.addressKey(InetAddress.getByName("2001:db8:1:2::1")))
			.isEqualTo(RateLimits.addressKey(InetAddress.getByName("2001:db8:1:2:ffff::9")));
		assertThat(RateLimits.addressKey(InetAddress.getByName("2001:db8:1:3::1")))
			.isNotEqualTo(RateLimits.addressKey(InetAddress.getByName("2001:db8:1:2::1")));
	}

	@Test
	void anIpv4MappedIpv6AddressIsTheIpv4Address() throws Exception {
		byte[] mapped = new byte[16];
		mapped[10] = (byte) 0xff;
		mapped[11] = (byte) 0xff;
		mapped[12] = (byte) 192;
		mapped[14] = 2;
		mapped[15] = 10;
		assertThat(RateLimits.addressKey(java.net.Inet6Address.getByAddress(null, mapped, -1)))
			.isEqualTo(RateLimits.addressKey(InetAddress.getByName("192.0.2.10")));
	}

}
