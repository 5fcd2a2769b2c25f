package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.RedisProcess;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.ws.rs.core.Response;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The nodes' Redis connections killed under them while node A emits (as a NAT, a proxy or a Redis failover drops
 * them): twice during 100 alerts, {@code CLIENT KILL TYPE normal} (commands, publisher, the stream's appends and its
 * blocking reads) and {@code CLIENT KILL TYPE pubsub} (the subscription). Every REST emit answers 200, the manager on
 * node B gets all 100 alerts once each and in order (appends queue while their connection comes back, a repeated
 * append is skipped, B's reader resumes from its own position), and B's {@code redis} health check is green again
 * within seconds. On a Redis of the test's own: killing every client of the shared one would cut other tests.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(180)
class StreamConnectionKillTest {
    static final RedisProcess REDIS = RedisProcess.start();
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes(REDIS.url());
    // recovery on, as shipped: every alert carries its stream offset
    static final TestApp A = CLUSTER.node(PG.url(), ConfigOverride.config("socketio.recoveryWindow", "2m"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_A = A.extension();
    static final TestApp B = CLUSTER.node(PG.url(), ConfigOverride.config("socketio.recoveryWindow", "2m"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_B = B.extension();
    static final RedisClient CLIENT = RedisClient.create(REDIS.url());
    static final ObjectMapper JSON = new ObjectMapper();
    static final int ALERTS = 100;
    /** The kills happen once this many alerts have been answered. */
    static final List<Integer> KILL_AFTER = List.of(25, 60);
    /** Each node holds four normal connections (commands, publisher, stream appends, stream reads) and one pubsub. */
    static final int NORMAL_PER_NODE = 4;
    static final int PUBSUB_PER_NODE = 1;

    @AfterAll
    static void closeClient() {
        CLIENT.shutdown(); // the Redis process ends with the JVM (after the nodes have stopped)
    }

    /** One kill round: what CLIENT KILL answered, and the clients listed just before it. */
    record Kill(int afterAlerts, long at, long normal, long pubsub, Map<Long, String> listedBefore) {
    }

    @Test
    void killedRedisConnectionsLoseNoAlertAndRepeatNoneAndHealthComesBack() throws Exception {
        String t = ClusterNodes.tenant();
        try (StatefulRedisConnection<String, String> admin = CLIENT.connect();
             SioClient manager = SioClient.authenticated(B.socketUrl(), B.managerToken(t, "m-kill"))) {
            long me = admin.sync().clientId();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(redisHealth(A)).startsWith("healthy");
                assertThat(redisHealth(B)).startsWith("healthy");
            });
            // the way from A to B works before anything is cut
            alert(A, t, "warm-up");
            assertThat(manager.awaitObject("alert").getString("message")).isEqualTo("warm-up");
            Map<Long, String> before = clients(admin, me);
            assertThat(before.values().stream().filter(f -> !f.contains("P")).count())
                    .as("the nodes' normal connections: %s", before).isEqualTo(2L * NORMAL_PER_NODE);
            assertThat(before.values().stream().filter(f -> f.contains("P")).count())
                    .as("the nodes' subscriptions: %s", before).isEqualTo(2L * PUBSUB_PER_NODE);
            long fellBackBefore = A.meter(Bus.DROPPED + ".publish_failed");

            AtomicInteger answered = new AtomicInteger();
            List<Kill> kills = new CopyOnWriteArrayList<>();
            List<String> redSeen = new CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicLong greenAfter = new java.util.concurrent.atomic.AtomicLong(-1);
            CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
                for (int after : KILL_AFTER) {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                            .until(() -> answered.get() >= after);
                    Map<Long, String> listed = clients(admin, me);
                    long normal = admin.sync().clientKill(KillArgs.Builder.typeNormal().skipme(true));
                    long pubsub = admin.sync().clientKill(KillArgs.Builder.typePubsub());
                    kills.add(new Kill(answered.get(), System.nanoTime(), normal, pubsub, listed));
                }
                // B's redis health check from the last kill on, until it is green again
                long from = kills.get(kills.size() - 1).at();
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    String h = redisHealth(B);
                    if (!h.startsWith("healthy")) {
                        redSeen.add(h);
                        return false;
                    }
                    greenAfter.set(Duration.ofNanos(System.nanoTime() - from).toMillis());
                    return true;
                });
            });
            List<Integer> statuses = new ArrayList<>();
            List<Integer> delivered = new ArrayList<>();
            long start = System.nanoTime();
            for (int n = 1; n <= ALERTS; n++) {
                Response r = A.post("/emit/alert", TestApp.ADMIN_KEY, body(t, "a-" + n));
                String text = r.readEntity(String.class);
                statuses.add(r.getStatus());
                assertThat(r.getStatus()).as("alert a-%d: %s", n, text).isEqualTo(200);
                delivered.add(JSON.readTree(text).path("delivered").asInt(-1));
                answered.incrementAndGet();
                Thread.sleep(10); // about 2 s of emits: several land while the connections come back
            }
            long emittedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
            killer.get(60, TimeUnit.SECONDS);

            // every alert reaches the manager on B, once, in order; an alert sent after a pause is the next it gets
            List<String> got = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                manager.drain("alert").forEach(a -> got.add(((JSONObject) a).optString("message")));
                return got.contains("a-" + ALERTS);
            });
            Thread.sleep(300);
            alert(A, t, "end");
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                manager.drain("alert").forEach(a -> got.add(((JSONObject) a).optString("message")));
                return got.contains("end");
            });
            List<String> expected = new ArrayList<>(IntStream.rangeClosed(1, ALERTS).mapToObj(n -> "a-" + n).toList());
            expected.add("end");
            assertThat(got).as(() -> "alerts at the manager on B (kills: " + kills + "; A's appends that fell back: "
                            + (A.meter(Bus.DROPPED + ".publish_failed") - fellBackBefore) + "; the stream holds "
                            + streamAlerts(admin) + ")").containsExactlyElementsOf(expected);
            assertThat(statuses).hasSize(ALERTS).containsOnly(200);
            assertThat(A.meter(Bus.DROPPED + ".publish_failed")).as("no append of A fell back to A's sockets only")
                    .isEqualTo(fellBackBefore);

            // and the connections really were cut, twice, while the alerts went out: every kill took each node's
            // connections, none of the connections from before is left, and the nodes are connected again
            assertThat(kills).hasSize(KILL_AFTER.size());
            for (Kill k : kills) {
                assertThat(k.afterAlerts()).as("killed while alerts were being emitted").isLessThan(ALERTS);
                assertThat(k.normal()).as("normal connections killed after %d alerts (listed %s)",
                        k.afterAlerts(), k.listedBefore()).isGreaterThanOrEqualTo(2L * NORMAL_PER_NODE);
                assertThat(k.pubsub()).as("subscriptions killed after %d alerts (listed %s)",
                        k.afterAlerts(), k.listedBefore()).isGreaterThanOrEqualTo(2L * PUBSUB_PER_NODE);
            }
            assertThat(kills.get(1).listedBefore().keySet()).as("the second kill met reconnected connections")
                    .doesNotContainAnyElementsOf(kills.get(0).listedBefore().keySet());

            // the emits that A answered while its connections were down: it could not count B's socket (delivered
            // 0, where it counts 1 otherwise), and B got them all the same
            assertThat(delivered.get(0)).as("A counts B's socket when Redis answers").isEqualTo(1);
            for (Kill k : kills) {
                assertThat(delivered.subList(k.afterAlerts(), Math.min(ALERTS, k.afterAlerts() + 20)))
                        .as("alerts answered just after the kill at %d: some while A's connections were down (%s)",
                                k.afterAlerts(), delivered).contains(0);
            }

            // B's redis health check is green again within seconds of the last kill (its subscription hears again,
            // its stream is read), and stays green
            assertThat(greenAfter.get()).as("B's redis health green again after the last kill (red: %s)", redSeen)
                    .isBetween(0L, 10_000L);
            assertThat(redisHealth(B)).startsWith("healthy");
            assertThat(redisHealth(A)).startsWith("healthy");
            Map<Long, String> after = clients(admin, me);
            assertThat(after.keySet()).as("every connection the nodes held before the kills is gone")
                    .doesNotContainAnyElementsOf(before.keySet());
            assertThat(after.values().stream().filter(f -> !f.contains("P")).count())
                    .as("the nodes' normal connections are back: %s", after).isEqualTo(2L * NORMAL_PER_NODE);
            assertThat(after.values().stream().filter(f -> f.contains("P")).count())
                    .as("the nodes' subscriptions are back: %s", after).isEqualTo(2L * PUBSUB_PER_NODE);
            System.out.printf("stream kill: %d alerts in %d ms, kills %s; every alert once at B; B's health green "
                            + "%d ms after the last kill (red meanwhile: %s); A's dropped %d, B's dropped %d; "
                            + "delivered per alert %s%n",
                    ALERTS, emittedMs,
                    kills.stream().map(k -> "after " + k.afterAlerts() + ": " + k.normal() + " normal + "
                            + k.pubsub() + " pubsub").toList(), greenAfter.get(), redSeen.stream().distinct().toList(),
                    A.meter(Bus.DROPPED), B.meter(Bus.DROPPED), delivered);
        }
    }

    private static String body(String tenant, String message) {
        return "{\"tenantId\":\"" + tenant + "\",\"message\":\"" + message + "\"}";
    }

    private static void alert(TestApp node, String tenant, String message) {
        node.postOk("/emit/alert", TestApp.ADMIN_KEY, body(tenant, message));
    }

    /** The stream's alerts, in order: message, the appending node's seq. */
    private static List<String> streamAlerts(StatefulRedisConnection<String, String> admin) {
        List<String> out = new ArrayList<>();
        for (var m : admin.sync().xrange(CLUSTER.streamName(), io.lettuce.core.Range.create("-", "+"))) {
            try {
                JsonNode data = JSON.readTree(m.getBody().get("data")).path("packet").path("data");
                out.add(data.path(1).path("message").asText() + "#" + m.getBody().get("seq"));
            } catch (Exception e) {
                out.add(m.getId() + ":" + e);
            }
        }
        return out;
    }

    /** Every client of the test's Redis but {@code me}: id to flags ({@code P}: subscribed). */
    private static Map<Long, String> clients(StatefulRedisConnection<String, String> admin, long me) {
        Map<Long, String> out = new HashMap<>();
        for (String line : admin.sync().clientList().split("\n")) {
            Map<String, String> fields = new HashMap<>();
            for (String kv : line.trim().split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    fields.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            if (fields.containsKey("id") && Long.parseLong(fields.get("id")) != me) {
                out.put(Long.parseLong(fields.get("id")), fields.getOrDefault("flags", ""));
            }
        }
        return out;
    }

    /** "healthy: <message>" or "unhealthy: <message>" of a node's redis health check. */
    private static String redisHealth(TestApp node) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.adminUrl("/healthcheck")))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        JsonNode redis = JSON.readTree(body).get("redis");
        return (redis.get("healthy").asBoolean() ? "healthy: " : "unhealthy: ") + redis.path("message").asText();
    }
}
