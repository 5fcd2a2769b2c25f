package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.msgpack.jackson.dataformat.MessagePackFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The adapter channels of a two-node cluster, as Node services and intruders use them: the official
 * {@code @socket.io/redis-emitter} reaches exactly the addressed Java sockets on both nodes, once; hostile frames
 * published straight onto the channels are dropped and counted by reason on both nodes, which keep delivering.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(180)
class ClusterBusTest {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    static final TestApp A = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_A = A.extension();
    static final TestApp B = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_B = B.extension();
    static final ObjectMapper MSGPACK = new ObjectMapper(new MessagePackFactory());
    static final ObjectMapper JSON = new ObjectMapper();
    static final RedisClient REDIS = RedisClient.create(ClusterNodes.REDIS);
    static final Duration NO_SECOND_COPY = Duration.ofMillis(1500);

    @AfterAll
    static void close() {
        REDIS.shutdown();
    }

    @Test
    void theOfficialEmitterReachesTheAddressedSocketsOnBothNodesOnce() throws Exception {
        String t = "acme";
        try (SioClient m1 = SioClient.authenticated(A.socketUrl(), A.managerToken(t, "m1"));
             SioClient s1 = SioClient.authenticated(A.socketUrl(), A.salesmanToken(t, "s1"));
             SioClient m2 = SioClient.authenticated(B.socketUrl(), B.managerToken(t, "m2"));
             SioClient s2 = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, "s2"), "polling");
             SioClient other = SioClient.authenticated(B.socketUrl(), B.managerToken("beta", "m3"))) {
            long unknownNamespace = A.meter("cluster.messages.dropped.unknown_namespace");
            NodeScripts.emit("cluster-emit.mjs", Map.of("REDIS_URL", ClusterNodes.REDIS, "KEY", CLUSTER.channelKey(),
                    "TENANT", t, "EXCEPT_SALESMAN", "s1"));
            for (SioClient c : List.of(m1, s1, m2, s2)) { // tenant room: everyone of acme
                assertThat(c.awaitObject("visit:created").getJSONObject("data").getString("visitId")).isEqualTo("v1");
            }
            for (SioClient c : List.of(m1, m2)) { // managers room
                assertThat(c.awaitObject("order:created").getJSONObject("data").getInt("total")).isEqualTo(42);
            }
            for (SioClient c : List.of(m1, m2, s2)) { // tenant room except s1's
                assertThat(c.awaitObject("target:progress").getJSONObject("data").getInt("percent")).isEqualTo(80);
            }
            for (SioClient c : List.of(m1, s1, m2, s2)) {
                c.assertNone("visit:created", NO_SECOND_COPY); // the /admin emit reaches no one, nor a second copy
            }
            s1.assertNone("order:created", Duration.ofMillis(100));
            s2.assertNone("order:created", Duration.ofMillis(100));
            s1.assertNone("target:progress", Duration.ofMillis(100));
            for (String event : List.of("visit:created", "order:created", "target:progress")) {
                other.assertNone(event, Duration.ofMillis(100)); // another tenant
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(A.meter("cluster.messages.dropped.unknown_namespace")).isEqualTo(unknownNamespace + 1));
        }
    }

    @Test
    void hostileFramesOnTheChannelsAreDroppedAndCountedAndTheNodesKeepDelivering() throws Exception {
        String t = "tenant-hostile";
        String channel = CLUSTER.channelKey() + "#/#";
        String roomChannel = CLUSTER.channelKey() + "#/#tenant:" + t + "#";
        Map<String, byte[]> hostile = new LinkedHashMap<>();
        hostile.put("malformed", "\u00c1\u00c1 not msgpack".getBytes(StandardCharsets.ISO_8859_1));
        hostile.put("malformed ", MSGPACK.writeValueAsBytes("just a string"));
        hostile.put("malformed  ", MSGPACK.writeValueAsBytes(JSON.readTree(
                "[\"x\",{\"type\":2,\"data\":[\"alert\"," + "[".repeat(100) + "]".repeat(100) + "],\"nsp\":\"/\"},{}]")));
        hostile.put("reserved_event", frame("connect", JSON.createObjectNode(), t));
        hostile.put("reserved_event ", frame("disconnect", JSON.createObjectNode(), t));
        // the server's authority over one socket, or what only clients send: never from the bus
        hostile.put("own_event", frame("authenticated", JSON.createObjectNode().put("success", true)
                .put("tenantId", "someone-else"), t));
        hostile.put("own_event ", frame("auth:error", JSON.createObjectNode().put("success", false), t));
        hostile.put("own_event  ", frame("location:update", JSON.createObjectNode().put("latitude", 1), t));
        hostile.put("too_large", frame("alert", JSON.createObjectNode().put("message", "x".repeat(1_100_000)), t));
        hostile.put("binary", frame("alert", JSON.createObjectNode().put("blob", new byte[] {1, 2, 3}), t));
        ArrayNode otherNamespace = (ArrayNode) MSGPACK.readTree(frame("alert", JSON.createObjectNode(), t));
        ((ObjectNode) otherNamespace.get(1)).put("nsp", "/admin");
        hostile.put("unknown_namespace", MSGPACK.writeValueAsBytes(otherNamespace));

        try (SioClient onA = SioClient.authenticated(A.socketUrl(), A.managerToken(t, "m1"));
             SioClient onB = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, "s-hostile"));
             StatefulRedisConnection<String, byte[]> redis = REDIS.connect(
                     RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
            Map<String, Long> before = dropped(hostile);
            for (Map.Entry<String, byte[]> h : hostile.entrySet()) {
                redis.sync().publish(h.getKey().startsWith("too") ? roomChannel : channel, h.getValue());
            }
            redis.sync().publish(roomChannel, frame("visit:updated",
                    JSON.createObjectNode().put("tenantId", t).put("n", 1), t));
            // a foreign emit with two arguments, and one with none, arrive as sent
            java.util.concurrent.CompletableFuture<Object[]> two = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.CompletableFuture<Object[]> none = new java.util.concurrent.CompletableFuture<>();
            onB.socket().on("two-args", two::complete);
            onB.socket().on("no-args", none::complete);
            redis.sync().publish(roomChannel, frame("two-args", JSON.createObjectNode().put("a", 1), t, 2));
            redis.sync().publish(roomChannel, frame("no-args", null, t));
            Object[] args = two.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(args).hasSize(2);
            assertThat(((JSONObject) args[0]).getInt("a")).isEqualTo(1);
            assertThat(args[1]).isEqualTo(2);
            assertThat(none.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
            for (SioClient c : List.of(onA, onB)) { // delivered, and nothing of the hostile frames before it
                assertThat(c.awaitObject("visit:updated").getInt("n")).isEqualTo(1);
                assertThat(c.drain("alert")).isEmpty();
                assertThat(c.drain("connect")).isEmpty();
                assertThat(c.drain("auth:error")).isEmpty();
                assertThat(c.drain("authenticated")).isEmpty(); // the one of its own authentication was awaited
                assertThat(c.drain("location:update")).isEmpty();
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                Map<String, Long> after = dropped(hostile);
                for (String reason : after.keySet()) {
                    long expected = hostile.keySet().stream().filter(k -> k.trim().equals(reason)).count();
                    assertThat(after.get(reason) - before.get(reason)).as(reason).isEqualTo(2 * expected); // A and B
                }
            });
            onA.assertNone("alert", Duration.ofMillis(300));
            onB.assertNone("alert", Duration.ofMillis(100));
        }
    }

    /** Per reason, the sum over both nodes of the dropped-message meter. */
    private static Map<String, Long> dropped(Map<String, byte[]> hostile) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String key : hostile.keySet()) {
            String reason = key.trim();
            out.put(reason, A.meter("cluster.messages.dropped." + reason) + B.meter("cluster.messages.dropped." + reason));
        }
        return out;
    }

    /** An adapter frame as a foreign publisher would send it to the tenant's room. */
    private static byte[] frame(String event, JsonNode payload, String tenant, int... more) throws Exception {
        ArrayNode data = JSON.createArrayNode().add(event);
        if (payload != null) {
            data.add(payload);
        }
        for (int n : more) {
            data.add(n);
        }
        ObjectNode packet = JSON.createObjectNode().put("type", 2).put("nsp", "/");
        packet.set("data", data);
        ObjectNode opts = JSON.createObjectNode();
        opts.putArray("rooms").add("tenant:" + tenant);
        opts.putArray("except");
        opts.putObject("flags");
        return MSGPACK.writeValueAsBytes(JSON.createArrayNode().add("intruder").add(packet).add(opts));
    }
}
