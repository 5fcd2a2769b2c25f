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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SPEC 4 typing: relayed to the target room, never to the sender's own sockets, {@code from} from the token; the
 * automatic stop after the typing timeout (6 s in the test config); the shared per-connection rate limit (10/s).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(90)
class TypingTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    private static final Duration QUIET = Duration.ofMillis(700);

    /** Each test has its own tenant: typing timers of one test must not reach the managers of the next. */
    private static String freshTenant() {
        return "typ-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static SioClient salesman(String tenant, String salesmanId) {
        return SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(tenant, salesmanId));
    }

    private static SioClient manager(String tenant, String userId) {
        return SioClient.authenticated(APP.socketUrl(), APP.managerToken(tenant, userId));
    }

    private static JSONObject to(String to, String conversationId) throws Exception {
        JSONObject o = new JSONObject().put("to", to);
        return conversationId == null ? o : o.put("conversationId", conversationId);
    }

    private static void assertFrom(JSONObject relayed, String userId, String salesmanId, String role) throws Exception {
        JSONObject from = relayed.getJSONObject("from");
        assertThat(from.getString("userId")).isEqualTo(userId);
        if (salesmanId == null) {
            assertThat(from.isNull("salesmanId")).as(from.toString()).isTrue();
        } else {
            assertThat(from.getString("salesmanId")).isEqualTo(salesmanId);
        }
        assertThat(from.getString("role")).isEqualTo(role);
    }

    private static void assertOk(JSONObject ack) throws Exception {
        assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
    }

    @Test
    void salesmanTypingReachesTheTenantsManagersOnly() throws Exception {
        String t = freshTenant();
        String sA = "s1-" + t; // salesman ids are unique across tenants (each is bound to its first tenant)
        String sB = "s2-" + t;
        try (SioClient boss = manager(t, "boss");
             SioClient deputy = manager(t, "deputy");
             SioClient device1 = salesman(t, sA);
             SioClient device2 = salesman(t, sA);
             SioClient colleague = salesman(t, sB);
             SioClient otherTenantsManager = manager(freshTenant(), "boss")) {
            JSONObject ack = device1.emitAck("typing", to("managers", "c1"));
            assertOk(ack);
            assertThat(ack.getInt("delivered")).isEqualTo(2);

            for (SioClient m : List.of(boss, deputy)) {
                JSONObject relayed = m.awaitObject("typing");
                assertFrom(relayed, "user-" + sA, sA, "salesman");
                assertThat(relayed.getString("to")).isEqualTo("managers");
                assertThat(relayed.getString("conversationId")).isEqualTo("c1");
            }
            device2.assertNone("typing", QUIET);
            device1.assertNone("typing", Duration.ZERO);
            colleague.assertNone("typing", Duration.ZERO);
            otherTenantsManager.assertNone("typing", Duration.ZERO);
        }
    }

    @Test
    void aManagersTypingNeverReachesItsOwnOtherDevice() throws Exception {
        String t = freshTenant();
        String sA = "s1-" + t; // salesman ids are unique across tenants (each is bound to its first tenant)
        String sB = "s2-" + t;
        try (SioClient bossPhone = manager(t, "boss");
             SioClient bossLaptop = manager(t, "boss");
             SioClient deputy = manager(t, "deputy")) {
            assertOk(bossPhone.emitAck("typing", to("managers", null)));
            JSONObject relayed = deputy.awaitObject("typing");
            assertFrom(relayed, "boss", null, "manager");
            assertThat(relayed.isNull("conversationId")).isTrue();
            bossLaptop.assertNone("typing", QUIET);
            bossPhone.assertNone("typing", Duration.ZERO);
        }
    }

    @Test
    void aForgedFromIsIgnoredAndTheRelayCarriesTheTokensSender() throws Exception {
        String t = freshTenant();
        String sA = "s1-" + t; // salesman ids are unique across tenants (each is bound to its first tenant)
        String sB = "s2-" + t;
        try (SioClient boss = manager(t, "boss");
             SioClient s = salesman(t, sA)) {
            JSONObject forged = to("managers", "c1").put("from",
                    new JSONObject().put("userId", "boss").put("salesmanId", JSONObject.NULL).put("role", "manager"));
            assertOk(s.emitAck("typing", forged));
            assertFrom(boss.awaitObject("typing"), "user-" + sA, sA, "salesman");
            s.emit("stop-typing", forged);
            assertFrom(boss.awaitObject("stop-typing"), "user-" + sA, sA, "salesman");
        }
    }

    @Test
    void aTypistWhoDisconnectsEndsTheirTypingWithStopTyping() throws Exception {
        String t = freshTenant();
        String sA = "s1-" + t;
        try (SioClient boss = manager(t, "boss")) {
            SioClient s = salesman(t, sA);
            assertOk(s.emitAck("typing", to("managers", "c7")));
            assertFrom(boss.awaitObject("typing"), "user-" + sA, sA, "salesman");
            s.close(); // gone without stop-typing: the managers' "is typing" must not stay until the timeout
            // well inside the 6 s typing timeout, which would end it anyway
            JSONObject ended = (JSONObject) boss.await("stop-typing", Duration.ofSeconds(3));
            assertFrom(ended, "user-" + sA, sA, "salesman");
            assertThat(ended.getString("conversationId")).isEqualTo("c7");
        }
    }

    @Test
    void aSalesmanCannotAddressAnotherSalesman() throws Exception {
        String t = freshTenant();
        String sA = "s1-" + t; // salesman ids are unique across tenants (each is bound to its first tenant)
        String sB = "s2-" + t;
        try (SioClient s1 = salesman(t, sA);
             SioClient s2 = salesman(t, sB)) {
            JSONObject ack = s1.emitAck("typing", to("salesman:" + sB, null));
            assertThat(ack.getBoolean("success")).isFalse();
            assertThat(ack.getJSONObject("error").getString("code")).isEqualTo("forbidden");
            s2.assertNone("typing", QUIET);
        }
    }

    @Test
    void aManagerTypingToASalesmanReachesAllItsDevicesOnly() throws Exception {
        String t = freshTenant();
        String sA = "s1-" + t; // salesman ids are unique across tenants (each is bound to its first tenant)
        String sB = "s2-" + t;
        try (SioClient boss = manager(t, "boss");
             SioClient bossLaptop = manager(t, "boss");
             SioClient deputy = manager(t, "deputy");
             SioClient phone = salesman(t, sA);
             SioClient tablet = salesman(t, sA);
             SioClient colleague = salesman(t, sB)) {
            JSONObject ack = boss.emitAck("typing", to("salesman:" + sA, "chat-9"));
            assertOk(ack);
            assertThat(ack.getInt("delivered")).isEqualTo(2);
            for (SioClient device : List.of(phone, tablet)) {
                JSONObject relayed = device.awaitObject("typing");
                assertFrom(relayed, "boss", null, "manager");
                assertThat(relayed.getString("to")).isEqualTo("salesman:" + sA);
                assertThat(relayed.getString("conversationId")).isEqualTo("chat-9");
            }
            colleague.assertNone("typing", QUIET);
            deputy.assertNone("typing", Duration.ZERO);
            bossLaptop.assertNone("typing", Duration.ZERO);

            assertOk(boss.emitAck("stop-typing", to("salesman:" + sA, "chat-9")));
            assertFrom(phone.awaitObject("stop-typing"), "boss", null, "manager");
            assertFrom(tablet.awaitObject("stop-typing"), "boss", null, "manager");
        }
    }

    @Test
    void stopTypingIsRelayedAndAnUnrefreshedTypingEndsWithAnAutomaticStopAfterSixSeconds() throws Exception {
        String t = freshTenant();
        String sA = "s1-" + t; // salesman ids are unique across tenants (each is bound to its first tenant)
        String sB = "s2-" + t;
        try (SioClient boss = manager(t, "boss");
             SioClient s = salesman(t, sA)) {
            // explicit stop: relayed at once, and its timer is cancelled (no second stop later)
            assertOk(s.emitAck("typing", to("managers", "stopped")));
            assertThat(boss.awaitObject("typing").getString("conversationId")).isEqualTo("stopped");
            assertOk(s.emitAck("stop-typing", to("managers", "stopped")));
            JSONObject stop = boss.awaitObject("stop-typing");
            assertFrom(stop, "user-" + sA, sA, "salesman");
            assertThat(stop.getString("to")).isEqualTo("managers");
            assertThat(stop.getString("conversationId")).isEqualTo("stopped");

            // a typing that is never refreshed
            long t0 = System.nanoTime();
            assertOk(s.emitAck("typing", to("managers", "auto")));
            assertThat(boss.awaitObject("typing").getString("conversationId")).isEqualTo("auto");
            long sinceT0 = (System.nanoTime() - t0) / 1_000_000;
            boss.assertNone("stop-typing", Duration.ofMillis(5000 - sinceT0));
            JSONObject auto = (JSONObject) boss.await("stop-typing", Duration.ofSeconds(4));
            long elapsed = (System.nanoTime() - t0) / 1_000_000;
            assertThat(elapsed).as("ms from typing to the automatic stop").isBetween(5000L, 9000L);
            assertThat(auto.getString("conversationId")).isEqualTo("auto");
            assertFrom(auto, "user-" + sA, sA, "salesman");
            boss.assertNone("stop-typing", Duration.ofMillis(1000));
        }
    }

    @Test
    void aBurstOfMoreThanTenTypingEventsIsRateLimited() throws Exception {
        String t = freshTenant();
        String sA = "s1-" + t; // salesman ids are unique across tenants (each is bound to its first tenant)
        String sB = "s2-" + t;
        try (SioClient boss = manager(t, "boss");
             SioClient s = salesman(t, sA)) {
            List<CompletableFuture<JSONObject>> acks = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                acks.add(s.emitAsync("typing", to("managers", "c" + i)));
            }
            List<String> outcomes = new ArrayList<>();
            for (CompletableFuture<JSONObject> f : acks) {
                JSONObject ack = f.get(10, TimeUnit.SECONDS);
                outcomes.add(ack.getBoolean("success") ? "ok" : ack.getJSONObject("error").getString("code"));
            }
            assertThat(outcomes.subList(0, 10)).as("a full bucket: the burst equals the rate").containsOnly("ok");
            assertThat(outcomes).containsOnly("ok", "rate_limited");
            long limited = outcomes.stream().filter("rate_limited"::equals).count();
            assertThat(limited).as("only what refilled during the burst gets through: %s", outcomes).isGreaterThanOrEqualTo(3);

            // only what was accepted is relayed
            long accepted = outcomes.size() - limited;
            int[] relayed = {0};
            await().atMost(5, TimeUnit.SECONDS).until(() -> (relayed[0] += boss.drain("typing").size()) >= accepted);
            boss.assertNone("typing", QUIET);
            assertThat(relayed[0]).isEqualTo(accepted);

            // without an ack callback, the refusal is an `error` event
            s.emit("typing", to("managers", "more"));
            for (int i = 0; i < 12; i++) {
                s.emit("typing", to("managers", "more"));
            }
            JSONObject error = s.awaitObject("error");
            assertThat(error.getString("event")).isEqualTo("typing");
            assertThat(error.getString("code")).isEqualTo("rate_limited");
        }
    }
}
