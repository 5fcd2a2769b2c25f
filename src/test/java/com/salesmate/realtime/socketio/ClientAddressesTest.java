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
}
