package com.salesmate.realtime.socket;

import com.salesmate.realtime.RealtimeConfiguration;
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
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fan-outs write to websocket recipients grouped per event loop and to the others as before: a websocket client, a
 * polling client and one upgrading from polling to websocket while the emits arrive (the upgrade is started as the
 * burst begins, so some emits reach it on polling and the rest on websocket) each receive every emit once, in order,
 * interleaved with direct replies to themselves in the order they were asked.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class FanoutOrderTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final String T = "tenant-order";
    static final int EMITS = 60;

    @Test
    void everyTransportGetsEachEmitOnceAndInOrder() throws Exception {
        try (SioClient ws = SioClient.authenticated(APP.socketUrl(), APP.managerToken(T, "m-ws"), "websocket");
             SioClient polling = SioClient.authenticated(APP.socketUrl(), APP.managerToken(T, "m-poll"), "polling")) {
            SioClient upgrading = SioClient.open(APP.socketUrl(),
                    SioClient.options(APP.managerToken(T, "m-up"), "polling", "websocket"));
            try {
                upgrading.awaitConnected();
                upgrading.await("authenticated");
                // the burst starts while the client is still on polling and probing websocket
                CompletableFuture<Void> burst = CompletableFuture.runAsync(() -> IntStream.rangeClosed(1, EMITS)
                        .forEach(i -> APP.post("/emit/alert", TestApp.ADMIN_KEY,
                                "{\"tenantId\":\"" + T + "\",\"message\":\"" + i + "\"}").close()));
                List<CompletableFuture<JSONObject>> joins = new ArrayList<>();
                for (int i = 0; i < 5; i++) { // direct replies to the websocket client, amid the fan-outs
                    joins.add(ws.emitAsync("join:tenant", new JSONObject().put("tenantId", T)));
                }
                burst.get();
                for (CompletableFuture<JSONObject> j : joins) {
                    assertThat(j.get().getBoolean("success")).isTrue();
                }
                for (SioClient c : List.of(ws, polling, upgrading)) {
                    List<Integer> seen = new ArrayList<>();
                    for (int i = 0; i < EMITS; i++) {
                        seen.add(Integer.parseInt(((JSONObject) c.await("alert")).getString("message")));
                    }
                    assertThat(seen).containsExactlyElementsOf(IntStream.rangeClosed(1, EMITS).boxed().toList());
                    c.assertNone("alert", Duration.ofMillis(500));
                }
                assertThat(APP.app().hub().registry().ofTenant(T).stream()
                        .filter(c -> c.identity().userId().equals("m-up")).findFirst().orElseThrow().transport())
                        .as("it did upgrade").isEqualTo("websocket");
            } finally {
                upgrading.close();
            }
        }
    }
}
