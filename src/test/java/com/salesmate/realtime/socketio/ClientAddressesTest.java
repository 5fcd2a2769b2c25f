package com.salesmate.realtime.socketio;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which address a handshake counts against: X-Forwarded-For is believed from a trusted proxy only. */
class ClientAddressesTest {
    private static final InetSocketAddress PROXY = new InetSocketAddress("10.0.0.5", 40000);
    private static final InetSocketAddress PHONE = new InetSocketAddress("203.0.113.7", 40000);

    private static HttpHeaders forwardedFor(String value) {
        return new DefaultHttpHeaders().add("X-Forwarded-For", value);
    }

    @Test
    void aClientThatIsNotATrustedProxyCannotChooseItsAddress() {
        ClientAddresses addresses = new ClientAddresses(List.of("10.0.0.5"));
        assertThat(addresses.of(PHONE, forwardedFor("198.51.100.1"))).isEqualTo("203.0.113.7");
    }

    @Test
    void behindATrustedProxyTheNearestHopThatIsNotOneOfOurProxiesCounts() {
        ClientAddresses addresses = new ClientAddresses(List.of("10.0.0.5", "10.0.0.6"));
        assertThat(addresses.of(PROXY, forwardedFor("203.0.113.7"))).isEqualTo("203.0.113.7");
        // a client-written first hop is not believed; our second proxy is skipped
        assertThat(addresses.of(PROXY, forwardedFor("198.51.100.1, 203.0.113.7, 10.0.0.6"))).isEqualTo("203.0.113.7");
        // a trusted proxy that names no one counts as itself
        assertThat(addresses.of(PROXY, new DefaultHttpHeaders())).isEqualTo("10.0.0.5");
    }

    @Test
    void withNoTrustedProxiesTheHeaderIsIgnored() {
        ClientAddresses addresses = new ClientAddresses(List.of());
        assertThat(addresses.of(PROXY, forwardedFor("203.0.113.7"))).isEqualTo("10.0.0.5");
    }

    @Test
    void trustedProxiesAreAddressesAndBlocksNotStrings() {
        ClientAddresses addresses = new ClientAddresses(List.of("10.0.0.0/24", "::1", "fd00:1::/32"));
        assertThat(addresses.of(PROXY, forwardedFor("203.0.113.7"))).as("10.0.0.5 is in 10.0.0.0/24")
                .isEqualTo("203.0.113.7");
        assertThat(addresses.of(new InetSocketAddress("10.0.1.5", 1), forwardedFor("203.0.113.7")))
                .as("10.0.1.5 is not").isEqualTo("10.0.1.5");
        // ::1 written short in the setting is the peer 0:0:0:0:0:0:0:1
        assertThat(addresses.of(new InetSocketAddress("0:0:0:0:0:0:0:1", 1), forwardedFor("203.0.113.7")))
                .isEqualTo("203.0.113.7");
        assertThat(addresses.of(new InetSocketAddress("fd00:1:ffff::9", 1), forwardedFor("198.51.100.2")))
                .isEqualTo("198.51.100.2");
        assertThat(addresses.isTrustedProxy(new InetSocketAddress("fd00:2::9", 1))).isFalse();
    }

    @Test
    void anIpv6ClientCountsAsItsSlash64() {
        ClientAddresses addresses = new ClientAddresses(List.of());
        String a = addresses.of(new InetSocketAddress("2001:db8:1:2::a", 1), new DefaultHttpHeaders());
        String b = addresses.of(new InetSocketAddress("2001:db8:1:2:ffff:1:2:3", 1), new DefaultHttpHeaders());
        String other = addresses.of(new InetSocketAddress("2001:db8:1:3::a", 1), new DefaultHttpHeaders());
        assertThat(a).isEqualTo(b).isEqualTo("2001:db8:1:2::/64");
        assertThat(other).isNotEqualTo(a);
    }

    @Test
    void anEntryThatIsNoAddressStopsTheStartNamingTheSetting() {
        for (String bad : List.of("proxy.internal", "10.0.0.0/33", "10.0.0.1/x", "::1/129")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ClientAddresses(List.of(bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("socketio.trustedProxies: '" + bad + "'");
        }
    }
}
