package com.salesmate.realtime.socket;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-connection buckets of SPEC 4 as an app meets them: acks of a burst of redelivered notifications never
 * share the location bucket (so they are never refused and never redelivered again), and {@code join:*} has its own
 * bucket (50/s, burst 200) and a cap of rooms per socket; a refused join changes nothing.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class EventLimitsTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final TestApp CAPPED = TestApp.create(ConfigOverride.config("socketio.maxRoomsPerSocket", "20"));
    static final DropwizardAppExtension<RealtimeConfiguration> CAPPED_EXT = CAPPED.extension();

    static String fresh(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String notify(TestApp app, String tenant, String salesmanId, int n) throws Exception {
        JSONObject body = new JSONObject().put("tenantId", tenant).put("salesmanId", salesmanId)
                .put("title", "T" + n).put("message", "visit " + n).put("type", "task");
        return app.postOk("/emit/notification", TestApp.ADMIN_KEY, body.toString()).get("notificationId").asText();
    }

    @Test
    void thirtyRedeliveredNotificationsAckedAsTheyArriveAreAllAcceptedAndNeverComeBack() throws Exception {
        String tenant = fresh("lim");
        String salesman = fresh("s");
        Set<String> pending = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            pending.add(notify(APP, tenant, salesman, i));
        }

        // the README's pattern: ack each notification as it arrives
        List<CompletableFuture<JSONObject>> acks = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(tenant, salesman))) {
            for (int i = 0; i < 30; i++) {
                String id = s.awaitObject("notification").getString("id");
                seen.add(id);
                acks.add(s.emitAsync("notification:ack", new JSONObject().put("id", id)));
            }
            List<JSONObject> answers = acks.stream().map(f -> f.orTimeout(10, TimeUnit.SECONDS).join()).toList();
            assertThat(seen).isEqualTo(pending);
            assertThat(answers).allSatisfy(a -> assertThat(a.optBoolean("success")).as(a.toString()).isTrue());

            // the location bucket still holds: a burst of 30 points at once is partly refused
            List<CompletableFuture<JSONObject>> points = new ArrayList<>();
            long t = System.currentTimeMillis();
            for (int i = 0; i < 30; i++) {
                points.add(s.emitAsync("location:update", new JSONObject().put("latitude", 12.9).put("longitude", 77.6)
                        .put("timestamp", t - i)));
            }
            long limited = points.stream().map(f -> f.orTimeout(10, TimeUnit.SECONDS).join())
                    .filter(a -> !a.optBoolean("success"))
                    .peek(a -> assertThat(a.optJSONObject("error").optString("code")).isEqualTo("rate_limited"))
                    .count();
            assertThat(limited).isBetween(1L, 20L);
        }

        // one more while offline, never acked: the next connect brings exactly that one (it would bring all 31 had
        // the acks been lost)
        String late = notify(APP, tenant, salesman, 31);
        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(tenant, salesman))) {
            assertThat(s.awaitObject("notification").getString("id")).isEqualTo(late);
            s.assertNone("notification", Duration.ofMillis(1500));
        }
    }

    @Test
    void aJoinFloodIsCutAtTheBurstAndARefusedJoinJoinsNothing() throws Exception {
        String tenant = fresh("flood");
        try (SioClient manager = SioClient.authenticated(APP.socketUrl(), APP.managerToken(tenant, "m1"))) {
            List<CompletableFuture<JSONObject>> answers = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 3000; i++) {
                answers.add(manager.emitAsync("join:salesman", new JSONObject().put("salesmanId", "s" + i)));
            }
            List<String> accepted = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                JSONObject a = answers.get(i).orTimeout(30, TimeUnit.SECONDS).join();
                if (a.getBoolean("success")) {
                    accepted.add("s" + i);
                } else {
                    assertThat(a.getJSONObject("error").getString("code")).as(a.toString()).isEqualTo("rate_limited");
                    refused.add("s" + i);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // burst 200, refilled at 50/s while the flood was being answered
            assertThat(accepted.size()).as("accepted in %.1f s", seconds).isBetween(200, 200 + (int) (50 * seconds) + 1);
            assertThat(refused).isNotEmpty();

            String in = accepted.get(0);
            String out = refused.get(refused.size() - 1);
            assertThat(deliveredTo(tenant, out)).isZero();
            assertThat(deliveredTo(tenant, in)).isEqualTo(1);
            JSONObject got = manager.awaitObject("target:progress");
            assertThat(got.getString("salesmanId")).isEqualTo(in);
            manager.assertNone("target:progress", Duration.ofMillis(500));
        }
    }

    private static int deliveredTo(String tenant, String salesmanId) throws Exception {
        JSONObject body = new JSONObject().put("tenantId", tenant).put("event", "target:progress").put("to", "salesman")
                .put("salesmanId", salesmanId).put("data", new JSONObject().put("percent", 40));
        return APP.postOk("/emit/event", TestApp.ADMIN_KEY, body.toString()).get("delivered").asInt();
    }

    @Test
    void aSocketIsInAtMostTheConfiguredRoomsEvenWhenPaced() throws Exception {
        String tenant = fresh("cap");
        try (SioClient manager = SioClient.open(CAPPED.socketUrl(),
                SioClient.options(CAPPED.managerToken(tenant, "m1")))) {
            manager.awaitConnected();
            JSONObject auth = manager.awaitObject("authenticated");
            int automatic = auth.getJSONArray("rooms").length();
            int joined = 0;
            JSONObject refusal = null;
            for (int i = 0; i < 40 && refusal == null; i++) {
                JSONObject a = manager.emitAck("join:salesman", new JSONObject().put("salesmanId", "c" + i));
                if (a.getBoolean("success")) {
                    joined++;
                } else {
                    refusal = a;
                }
            }
            assertThat(joined).isEqualTo(20 - automatic);
            assertThat(refusal).isNotNull();
            assertThat(refusal.getJSONObject("error").getString("code")).isEqualTo("rate_limited");
            assertThat(refusal.getJSONObject("error").getString("message")).contains("at most 20 rooms");
            // joining a room it is already in is still fine (idempotent)
            assertThat(manager.emitAck("join:salesman", new JSONObject().put("salesmanId", "c0"))
                    .getBoolean("success")).isTrue();
        }
    }
}
