package com.salesmate.realtime.cluster;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.RedisProcess;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The nodes' control messages (revocations, disconnects) on a Redis of this test's own: whoever may PUBLISH cannot
 * revoke a tenant or disconnect its sockets (messages are signed with a key every node derives from the shared JWT
 * secret, taken once and within a minute), and a revocation Redis refuses (a READONLY replica) is reported as a failure
 * instead of "refused until ...".
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class ClusterControlTest {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final RedisProcess REDIS = RedisProcess.start();
    static final ClusterNodes CLUSTER = new ClusterNodes(REDIS.url());
    static final TestApp A = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_A = A.extension();
    static final TestApp B = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_B = B.extension();
    static final RedisClient CLIENT = RedisClient.create(REDIS.url());

    @AfterAll
    static void closeClient() {
        CLIENT.shutdown(); // the Redis process ends with the JVM (after the nodes have stopped)
    }

    private static String controlChannel() {
        return CLUSTER.keyPrefix() + "#control";
    }

    private static HttpResponse<String> task(TestApp node, String query) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.adminUrl("/tasks/disconnect?"
                        + query))).header("Authorization", "Bearer " + TestApp.ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void publish(byte[] message) {
        try (StatefulRedisConnection<byte[], byte[]> c = CLIENT.connect(ByteArrayCodec.INSTANCE)) {
            // both nodes hear it (and the test's own listener when it is subscribed)
            assertThat(c.sync().publish(controlChannel().getBytes(StandardCharsets.UTF_8), message)).isGreaterThanOrEqualTo(2L);
        }
    }

    @Test
    void forgedAndReplayedControlMessagesChangeNothingAGenuineTaskDoes() throws Exception {
        String t = ClusterNodes.tenant();
        String s = "s-" + t;
        long refusedBefore = B.meter("cluster.control.refused");
        List<byte[]> captured = new CopyOnWriteArrayList<>();
        try (StatefulRedisPubSubConnection<byte[], byte[]> spy = CLIENT.connectPubSub(ByteArrayCodec.INSTANCE);
             SioClient onB = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, s))) {
            spy.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] channel, byte[] message) {
                    captured.add(message);
                }
            });
            spy.sync().subscribe(controlChannel().getBytes(StandardCharsets.UTF_8));

            // anyone who may PUBLISH, writing what a node would (unsigned, or signed with another key)
            String revoke = new JSONObject().put("type", "revoke").put("kind", "tenant").put("id", t)
                    .put("until", System.currentTimeMillis() + 3_600_000).put("from", "attacker").toString();
            String disconnect = new JSONObject().put("type", "disconnect").put("tenantId", t).put("from", "attacker")
                    .put("at", System.currentTimeMillis()).put("nonce", "n1").toString();
            publish(revoke.getBytes(StandardCharsets.UTF_8));
            publish(disconnect.getBytes(StandardCharsets.UTF_8));
            publish(new ControlSigner("not-the-cluster-secret-0123456789").sign(
                    disconnect.getBytes(StandardCharsets.UTF_8)));
            await().atMost(Duration.ofSeconds(5)).until(() -> B.meter("cluster.control.refused") >= refusedBefore + 3);
            assertThat(onB.isConnected()).isTrue();
            assertThat(onB.emitAck("join:tenant", new JSONObject().put("tenantId", t)).getBoolean("success")).isTrue();
            try (SioClient fresh = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, "other-" + t))) {
                assertThat(fresh.isConnected()).as("tenant not revoked by the forged message").isTrue();
            }

            // the genuine task on A does disconnect B's socket (the positive control)
            HttpResponse<String> answer = task(A, "salesmanId=" + s);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(onB.awaitDisconnected()).isEqualTo("io server disconnect");
            await().atMost(Duration.ofSeconds(5)).until(() -> !captured.isEmpty());
        }
        // the captured genuine message, published again: refused (seen), the salesman's new socket stays
        long beforeReplay = B.meter("cluster.control.refused");
        try (SioClient again = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, s))) {
            publish(captured.get(0));
            await().atMost(Duration.ofSeconds(5)).until(() -> B.meter("cluster.control.refused") > beforeReplay);
            assertThat(again.emitAck("join:tenant", new JSONObject().put("tenantId", t)).getBoolean("success"))
                    .isTrue();
            assertThat(again.isDisconnected()).isFalse();
        }
    }

    @Test
    void aRevocationRedisRefusesIsReportedAsAFailureNotAsDone() throws Exception {
        String t = ClusterNodes.tenant();
        String s = "s-" + t;
        try (StatefulRedisConnection<String, String> admin = CLIENT.connect();
             SioClient onB = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, s))) {
            // a replica of a master that does not exist: every write is answered READONLY
            admin.sync().replicaof("127.0.0.1", TestApp.freePort());
            try {
                HttpResponse<String> failed = task(A, "salesmanId=" + s + "&revokeFor=1h");
                assertThat(failed.statusCode()).as(failed.body()).isEqualTo(500);
                assertThat(failed.body()).contains("FAILED: the revocation of salesman " + s
                        + " was not stored in Redis").contains("READONLY").doesNotContain("refused until");
                // nothing was disconnected on the other node, and it still takes the token
                assertThat(onB.isDisconnected()).isFalse();
            } finally {
                admin.sync().replicaofNoOne();
            }
            try (SioClient still = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, s))) {
                assertThat(still.isConnected()).isTrue();
            }
            // Redis takes writes again: the same task succeeds, and holds on B
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HttpResponse<String> done = task(A, "salesmanId=" + s + "&revokeFor=1h");
                assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
                assertThat(done.body()).contains("tokens of salesman " + s + " refused until");
            });
            onB.awaitDisconnected();
            try (SioClient refused = SioClient.open(B.socketUrl(), SioClient.options(B.salesmanToken(t, s)))) {
                assertThat(refused.awaitConnectError().toString()).contains("revoked");
            }
        }
    }

    /**
     * A node whose subscription no longer receives (Redis dropped it and refuses it back; in the field a NAT that forgot
     * the connection) while every command still works says so in its redis health check within seconds, asks again,
     * and is healthy once it hears again. Before, its health stayed green while the other nodes' emits were lost.
     */
    @Test
    void aNodeThatCannotHearSaysSoInItsHealthUntilItHearsAgain() throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(redisHealth(A)).startsWith("healthy"));
        try (StatefulRedisConnection<String, String> admin = CLIENT.connect()) {
            admin.sync().dispatch(io.lettuce.core.protocol.CommandType.ACL,
                    new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                    new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                            .add("SETUSER").add("default").add("-subscribe").add("-psubscribe"));
            try {
                admin.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub()); // dropped, and refused back
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(redisHealth(A))
                        .contains("hears nothing on its subscription"));
                assertThat(redisHealth(A)).as("its commands still work: only hearing is gone")
                        .doesNotContain("unreachable").doesNotContain("no heartbeat");
            } finally {
                admin.sync().dispatch(io.lettuce.core.protocol.CommandType.ACL,
                        new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                        new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                                .add("SETUSER").add("default").add("+subscribe").add("+psubscribe"));
            }
            // Redis allows it again: each node subscribes again by itself and hears
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(redisHealth(A)).startsWith("healthy");
                assertThat(redisHealth(B)).startsWith("healthy");
            });
        }
    }

    /** "healthy: <message>" or "unhealthy: <message>" of a node's redis health check. */
    private static String redisHealth(TestApp node) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.adminUrl("/healthcheck")))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        com.fasterxml.jackson.databind.JsonNode redis = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body)
                .get("redis");
        return (redis.get("healthy").asBoolean() ? "healthy: " : "unhealthy: ") + redis.path("message").asText();
    }

    /** A node's figures key expires unless renewed, and a clean stop deletes it (it was kept forever). */
    @Test
    void aNodesFiguresKeyHasAnExpiryAndGoesWithACleanStop() throws Exception {
        TestApp c = CLUSTER.node(PG.url());
        try (StatefulRedisConnection<String, String> redis = CLIENT.connect()) {
            java.util.Set<String> before = new java.util.HashSet<>(redis.sync().keys(CLUSTER.keyPrefix() + ":n:*:stats"));
            c.extension().before();
            String mine;
            try {
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        redis.sync().keys(CLUSTER.keyPrefix() + ":n:*:stats").size() > before.size());
                java.util.Set<String> now = new java.util.HashSet<>(redis.sync().keys(CLUSTER.keyPrefix() + ":n:*:stats"));
                now.removeAll(before);
                mine = now.iterator().next();
                long ttl = redis.sync().pttl(mine);
                assertThat(ttl).as("expiry of %s", mine).isPositive().isLessThanOrEqualTo(3 * 3_000);
                assertThat(redis.sync().hget(mine, "active")).isNotNull();
            } finally {
                c.extension().after();
            }
            assertThat(redis.sync().exists(mine)).as("%s after a clean stop", mine).isZero();
            // the other nodes' keys are still there
            assertThat(redis.sync().keys(CLUSTER.keyPrefix() + ":n:*:stats")).containsAll(before);
        }
    }

    /**
     * join:salesman in cluster mode costs one constant-size command: the socket's entry in Redis is not rewritten per
     * join (it was, with the whole room list: O(n^2) for n joins), and the other node still sees every room.
     */
    @Test
    void joinsInClusterModeAreOneRoomEachAndSeenByTheOtherNode() throws Exception {
        String t = ClusterNodes.tenant();
        String joinSet;
        try (StatefulRedisConnection<String, String> redis = CLIENT.connect();
             SioClient manager = SioClient.open(A.socketUrl(), SioClient.options(A.managerToken(t, "m-join")))) {
            manager.awaitConnected();
            String sessionId = manager.awaitObject("authenticated").getString("sessionId");
            String sockets = CLUSTER.keyPrefix() + ":t:" + t + ":sockets";
            await().atMost(Duration.ofSeconds(5)).until(() -> !redis.sync().hgetall(sockets).isEmpty());
            String field = redis.sync().hkeys(sockets).get(0);
            assertThat(field).endsWith("|" + sessionId);
            String entryBefore = redis.sync().hget(sockets, field);
            joinSet = CLUSTER.keyPrefix() + ":j:" + field;
            int joins = 150;
            for (int i = 0; i < joins; i++) {
                assertThat(manager.emitAck("join:salesman", new JSONObject().put("salesmanId", "j" + i))
                        .getBoolean("success")).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    redis.sync().scard(CLUSTER.keyPrefix() + ":j:" + field) == joins);
            assertThat(redis.sync().hget(sockets, field)).as("the socket's entry is not rewritten per join")
                    .isEqualTo(entryBefore);
            // node B sees the rooms: an emit there to the last room joined reaches the manager on A, once
            JSONObject body = new JSONObject().put("tenantId", t).put("event", "target:progress").put("to", "salesman")
                    .put("salesmanId", "j" + (joins - 1)).put("data", new JSONObject().put("percent", 10));
            assertThat(B.postOk("/emit/event", TestApp.ADMIN_KEY, body.toString()).path("delivered").asInt())
                    .isEqualTo(1);
            assertThat(manager.awaitObject("target:progress").getString("salesmanId")).isEqualTo("j" + (joins - 1));
            // and the first room joined too (every join counted, not only the last)
            body.put("salesmanId", "j0");
            assertThat(B.postOk("/emit/event", TestApp.ADMIN_KEY, body.toString()).path("delivered").asInt())
                    .isEqualTo(1);
            assertThat(manager.awaitObject("target:progress").getString("salesmanId")).isEqualTo("j0");
            // B's listing still shows the socket (its entry read with its join set)
            assertThat(B.getOk("/tenants/" + t + "/connections", TestApp.ADMIN_KEY).path("count").asInt()).isEqualTo(1);
        }
        // the socket gone, its join set goes with it
        try (StatefulRedisConnection<String, String> redis = CLIENT.connect()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.sync().exists(joinSet) == 0);
        }
    }
}
