package com.salesmate.realtime.socketio;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The comma-separated settings (allowed origins, trusted proxies) can be given as Dropwizard overrides
 * ({@code -Ddw.socketio.allowedOrigins=...}, {@code ConfigOverride}) like any string: the service starts and uses them.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class ListSettingsOverrideTest {
    static final TestApp APP = TestApp.create(
            ConfigOverride.config("socketio.allowedOrigins", "https://a.example, https://b.example"),
            ConfigOverride.config("socketio.trustedProxies", "10.0.0.1,10.0.0.2"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    static int handshake(String origin) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(APP.socketUrl() + "/socket.io/?EIO=4&transport=polling"))
                .header("Origin", origin).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void overriddenListsAreReadAndUsed() throws Exception {
        assertThat(EXT.getConfiguration().getSocketio().trustedProxyList()).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(EXT.getConfiguration().getSocketio().allowedOriginList())
                .containsExactly("https://a.example", "https://b.example");
        assertThat(handshake("https://b.example")).isEqualTo(200);
        assertThat(handshake("https://c.example")).isEqualTo(403);
    }
}
