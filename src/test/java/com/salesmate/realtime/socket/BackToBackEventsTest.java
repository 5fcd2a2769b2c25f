package com.salesmate.realtime.socket;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.Publisher;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Events emitted back to back, with nothing in between, are queued on the recipients' event loops faster than they are
 * written, so their flushes are consolidated into fewer socket writes: a websocket client and a polling client each
 * receive every one of them, once and in order, whether it went out as the fan-out's shared frame (to the tenant's
 * room) or through the library's queue (to the socket alone); and an event emitted alone afterwards, with nothing
 * after it to wait for, arrives too (its flush is not held for company).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class BackToBackEventsTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final String T = "tenant-back-to-back";
    static final int EVENTS = 300;

    @Test
    void backToBackEventsArriveCompleteAndInOrderAndALoneOneArrives() throws Exception {
        try (SioClient ws = SioClient.authenticated(APP.socketUrl(), APP.managerToken(T, "m-ws"), "websocket");
             SioClient polling = SioClient.authenticated(APP.socketUrl(), APP.managerToken(T, "m-poll"), "polling")) {
            Publisher publisher = APP.app().hub().publisher();
            List<Connection> sockets = APP.app().hub().registry().ofTenant(T);
            assertThat(sockets).hasSize(2);
            for (int n = 1; n <= EVENTS; n++) {
                Map<String, Object> payload = Map.of("n", n);
                if (n % 7 == 0) { // a send to each socket alone: the library's packet queue, amid the fan-outs
                    for (Connection c : sockets) {
                        assertThat(publisher.toSocket(c, "seq", payload)).isEqualTo(1);
                    }
                } else {
                    assertThat(publisher.toRoom(T, Rooms.tenant(T), "seq", payload).local()).isEqualTo(2);
                }
            }
            for (SioClient c : List.of(ws, polling)) {
                List<Integer> seen = new ArrayList<>();
                for (int i = 0; i < EVENTS; i++) {
                    Object next = nextOrNull(c, "seq");
                    if (next == null) {
                        break; // missing ones: the assertion below says which
                    }
                    seen.add(((JSONObject) next).getInt("n"));
                }
                assertThat(seen).as(c == ws ? "websocket" : "polling")
                        .containsExactlyElementsOf(IntStream.rangeClosed(1, EVENTS).boxed().toList());
            }

            assertThat(publisher.toRoom(T, Rooms.tenant(T), "lone", Map.of("n", 1)).local()).isEqualTo(2);
            for (SioClient c : List.of(ws, polling)) {
                assertThat(((JSONObject) c.await("lone")).getInt("n")).isEqualTo(1);
                c.assertNone("seq", Duration.ofMillis(300)); // and nothing was written twice
                c.assertNone("lone", Duration.ofMillis(300));
            }
        }
    }

    /** The next {@code event}, or null when none arrives in {@link SioClient#WAIT}. */
    private static Object nextOrNull(SioClient client, String event) {
        try {
            return client.await(event);
        } catch (AssertionError none) {
            return null;
        }
    }
}
