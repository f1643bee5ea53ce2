package dev.portero.web;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * HTTP settings ({@code portero.http.*}).
 *
 * @param trustedProxies addresses or CIDR ranges of reverse proxies whose {@code X-Forwarded-For}
 * is believed (e.g. {@code 10.0.0.0/8,127.0.0.1}); empty by default: the peer is the client
 */
@ConfigurationProperties("portero.http")
public record HttpSettings(@DefaultValue List<String> trustedProxies) {
}
