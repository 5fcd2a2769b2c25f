package com.salesmate.realtime.socket;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.JsPhone;
import com.salesmate.realtime.support.TcpProxy;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official JavaScript client (socket.io-client 4.8, which implements Socket.IO 4.6's connection state recovery by
 * itself) behind a network the test cuts for 2.5 s while alerts are emitted: it comes back with the same socket id,
 * {@code recovered: true}, and every alert of the gap once and in order, then live ones — over websocket and polling.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class JsClientRecoveryTest {
    static final TestApp APP = TestApp.create(ConfigOverride.config("socketio.recoveryWindow", "30s"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void aPhoneInATunnelComesBackWithEverythingItMissed(String transport) throws Exception {
        String tenant = "jsrec-" + transport + "-" + System.nanoTime();
        try (TcpProxy network = new TcpProxy(APP.socketPort());
             JsPhone phone = JsPhone.start("http://127.0.0.1:" + network.port(), APP.managerToken(tenant, "boss"),
                     transport)) {
            String first = phone.await(l -> l.startsWith("connected "));
            assertThat(first).endsWith(" false");
            String socketId = first.split(" ")[1];
            alert(tenant, "before");
            phone.await("event alert before"::equals); // the client now holds an offset

            network.cut(); // a tunnel: both ends see their connections die
            phone.await(l -> l.startsWith("disconnect "));
            alert(tenant, "gap-1");
            alert(tenant, "gap-2");
            Thread.sleep(2_500); // the phone stays in the tunnel; its reconnection attempts are refused
            network.restore();

            String back = phone.await(l -> l.startsWith("connected "));
            assertThat(back).as("same socket id, recovered: %s", phone.printed())
                    .isEqualTo("connected " + socketId + " true");
            assertThat(phone.nextEvent()).isEqualTo("event alert gap-1");
            assertThat(phone.nextEvent()).isEqualTo("event alert gap-2");
            alert(tenant, "after");
            assertThat(phone.nextEvent()).isEqualTo("event alert after");
            assertThat(phone.printed().stream().filter(l -> l.startsWith("event alert")))
                    .as("each alert once: %s", phone.printed())
                    .containsExactly("event alert before", "event alert gap-1", "event alert gap-2",
                            "event alert after");
        }
    }

    private static void alert(String tenantId, String message) {
        var res = APP.post("/emit/alert", TestApp.ADMIN_KEY,
                "{\"tenantId\":\"" + tenantId + "\",\"message\":\"" + message + "\"}");
        assertThat(res.getStatus()).as(res.readEntity(String.class)).isEqualTo(200);
    }
}
