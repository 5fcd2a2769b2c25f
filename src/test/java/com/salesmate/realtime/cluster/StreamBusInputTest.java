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
import io.lettuce.core.StreamMessage;
import org.json.JSONObject;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.msgpack.jackson.dataformat.MessagePackFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster's stream as an attacker with Redis access writes to it: entries appended straight with XADD. Each entry
 * that is not a broadcast of an EVENT this service may deliver is dropped before any socket sees it and counted under
 * its reason ({@code cluster.messages.dropped.<reason>}); a well-formed entry appended the same way reaches the
 * addressed sockets. Each hostile entry is a valid alert to the sockets' tenant but for its one flaw, so a check that
 * let it through would be seen by the sockets. An entry sent again with its node's {@code seq} (a retransmit) is
 * delivered once, also when appends land out of order; entries forged under a node's own uid are not delivered.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(180)
class StreamBusInputTest {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    static final TestApp NODE = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = NODE.extension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper MSGPACK = new ObjectMapper(new MessagePackFactory());
    static final RedisClient REDIS = RedisClient.create(ClusterNodes.REDIS);
    static final String DROPPED = "cluster.messages.dropped";
    /** Presence: a salesman's socket coming online is told to the tenant's managers by the node itself. */
    static final List<String> PRESENCE = List.of("salesman:online", "salesman:offline");

    static StatefulRedisConnection<String, String> redis;

    @BeforeAll
    static void connect() {
        redis = REDIS.connect();
    }

    @AfterAll
    static void close() {
        redis.close();
        REDIS.shutdown();
    }

    /** One appended entry and the reason it must be dropped for. */
    record Hostile(String what, String reason, Map<String, String> body) {
    }

    @Test
    void hostileEntriesAreDroppedAndCountedByReasonAndNoSocketSeesThem() throws Exception {
        String t = ClusterNodes.tenant();
        String room = "tenant:" + t;
        List<Hostile> hostile = new ArrayList<>();
        // oversized: over socketio.maxFramePayload (1 MB)
        hostile.add(new Hostile("oversized data", "too_large",
                alert(room, a -> a.put("message", "x".repeat(1_100_000)))));
        // the adapter's own form of a broadcast with binary arguments: base64 of msgpack
        ObjectNode binaryMessage = message(room, "alert", JSON.createObjectNode().put("tenantId", t)
                .put("message", "binary").put("blob", new byte[]{1, 2, 3}));
        hostile.add(new Hostile("base64 msgpack data", "binary",
                with(alert(room, a -> { }), "data", Base64.getEncoder().encodeToString(
                        MSGPACK.writeValueAsBytes(binaryMessage)))));
        hostile.add(new Hostile("data not JSON", "binary", with(alert(room, a -> { }), "data", "alert to everyone")));
        String valid = alert(room, a -> { }).get("data");
        hostile.add(new Hostile("truncated JSON", "malformed",
                with(alert(room, a -> { }), "data", valid.substring(0, valid.length() - 5))));
        hostile.add(new Hostile("nsp /admin", "unknown_namespace", with(alert(room, a -> { }), "nsp", "/admin")));
        hostile.add(new Hostile("nsp missing", "unknown_namespace", without(alert(room, a -> { }), "nsp")));
        for (String reserved : List.of("connect", "disconnect")) {
            hostile.add(new Hostile(reserved, "reserved_event", entry(message(room, reserved, payload(t)))));
        }
        for (String own : List.of("authenticated", "auth:error", "error")) {
            hostile.add(new Hostile(own, "own_event", entry(message(room, own,
                    JSON.createObjectNode().put("success", true).put("tenantId", "someone-else")))));
        }
        ObjectNode withAck = message(room, "alert", payload(t));
        ((ObjectNode) withAck.get("packet")).put("id", 7);
        hostile.add(new Hostile("ack id", "malformed", entry(withAck)));
        ObjectNode roomsNotArray = message(room, "alert", payload(t));
        ((ObjectNode) roomsNotArray.get("opts")).put("rooms", room);
        hostile.add(new Hostile("rooms a string", "malformed", entry(roomsNotArray)));
        ObjectNode roomsNotStrings = message(room, "alert", payload(t));
        ((ObjectNode) roomsNotStrings.get("opts")).putArray("rooms").add(room).add(7);
        hostile.add(new Hostile("a room not a string", "malformed", entry(roomsNotStrings)));
        ObjectNode noEventData = message(room, "alert", payload(t));
        ((ObjectNode) noEventData.get("packet")).remove("data");
        hostile.add(new Hostile("packet without data", "malformed", entry(noEventData)));
        ObjectNode notAnEvent = message(room, "alert", payload(t));
        ((ObjectNode) notAnEvent.get("packet")).put("type", 5); // BINARY_EVENT
        hostile.add(new Hostile("packet type 5", "malformed", entry(notAnEvent)));
        hostile.add(new Hostile("uid missing", "unsupported_type", without(alert(room, a -> { }), "uid")));
        hostile.add(new Hostile("data missing", "unsupported_type", without(alert(room, a -> { }), "data")));
        hostile.add(new Hostile("type missing", "unsupported_type", without(alert(room, a -> { }), "type")));
        hostile.add(new Hostile("type 99", "unsupported_type", with(alert(room, a -> { }), "type", "99")));
        // the adapter's socketsJoin: would put the tenant's sockets in a room
        hostile.add(new Hostile("type 4 (socketsJoin)", "unsupported_type", with(alert(room, a -> { }), "type", "4")));

        try (SioClient salesman = SioClient.authenticated(NODE.socketUrl(), NODE.salesmanToken(t, "s-" + t));
             SioClient manager = SioClient.authenticated(NODE.socketUrl(), NODE.managerToken(t, "m1"))) {
            List<String> toSalesman = recorded(salesman);
            List<String> toManager = recorded(manager);
            Map<String, Long> before = meters(hostile);
            long droppedBefore = NODE.meter(DROPPED);
            for (Hostile h : hostile) {
                redis.sync().xadd(CLUSTER.streamName(), h.body());
            }
            // appended the same way, after them: read after them (the stream's order), and delivered
            redis.sync().xadd(CLUSTER.streamName(), entry(message(room, "visit:updated",
                    JSON.createObjectNode().put("tenantId", t).put("n", 1))));
            for (SioClient c : List.of(salesman, manager)) {
                assertThat(c.awaitObject("visit:updated").getInt("n")).isEqualTo(1);
            }
            for (List<String> seen : List.of(toSalesman, toManager)) { // the recorder runs after the queue's listener
                await().atMost(Duration.ofSeconds(2)).until(() -> seen.contains("visit:updated"));
                synchronized (seen) {
                    assertThat(seen).as("events the sockets got").filteredOn(e -> !PRESENCE.contains(e))
                            .containsExactly("visit:updated");
                }
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                Map<String, Long> after = meters(hostile);
                for (Map.Entry<String, Long> reason : after.entrySet()) {
                    assertThat(reason.getValue() - before.get(reason.getKey()))
                            .as("%s: %s", reason.getKey(), hostile.stream().filter(h -> h.reason().equals(reason.getKey()))
                                    .map(Hostile::what).toList())
                            .isEqualTo(hostile.stream().filter(h -> h.reason().equals(reason.getKey())).count());
                }
                assertThat(NODE.meter(DROPPED) - droppedBefore).as("dropped in all").isEqualTo(hostile.size());
            });
            Thread.sleep(300);
            for (List<String> seen : List.of(toSalesman, toManager)) {
                synchronized (seen) {
                    assertThat(seen).filteredOn(e -> !PRESENCE.contains(e)).containsExactly("visit:updated");
                }
            }
        }
    }

    @Test
    void anEntryAppendedTwiceWithTheSameUidAndSeqIsDeliveredOnce() throws Exception {
        String t = ClusterNodes.tenant();
        String room = "tenant:" + t;
        String uid = "node-" + UUID.randomUUID().toString().substring(0, 8);
        try (SioClient manager = SioClient.authenticated(NODE.socketUrl(), NODE.managerToken(t, "m1"))) {
            Map<String, String> first = with(alert(room, a -> a.put("n", 1)), "uid", uid);
            first.put("seq", "5");
            redis.sync().xadd(CLUSTER.streamName(), first);
            redis.sync().xadd(CLUSTER.streamName(), first); // sent again, as Lettuce may after a reconnect
            Map<String, String> next = with(alert(room, a -> a.put("n", 2)), "uid", uid);
            next.put("seq", "6");
            redis.sync().xadd(CLUSTER.streamName(), next);
            assertThat(redis.sync().xrange(CLUSTER.streamName(), Range.create("-", "+")).stream()
                    .filter(m -> uid.equals(m.getBody().get("uid"))).map(m -> m.getBody().get("seq")))
                    .as("in the stream").containsExactly("5", "5", "6");

            assertThat(manager.awaitObject("alert").getInt("n")).isEqualTo(1);
            assertThat(manager.awaitObject("alert").getInt("n")).as("the next after the first: not its copy")
                    .isEqualTo(2);
            manager.assertNone("alert", Duration.ofMillis(1000));
        }
    }

    @Test
    void appendsThatLandOutOfOrderAreEachDeliveredOnce() throws Exception {
        String t = ClusterNodes.tenant();
        String room = "tenant:" + t;
        String uid = "node-" + UUID.randomUUID().toString().substring(0, 8);
        String otherUid = "node-" + UUID.randomUUID().toString().substring(0, 8);
        try (SioClient manager = SioClient.authenticated(NODE.socketUrl(), NODE.managerToken(t, "m1"))) {
            // a retried append may land after a later one: each is delivered, a copy of either is not
            redis.sync().xadd(CLUSTER.streamName(), seq(alert(room, a -> a.put("n", 10)), uid, 10));
            redis.sync().xadd(CLUSTER.streamName(), seq(alert(room, a -> a.put("n", 7)), uid, 7));
            redis.sync().xadd(CLUSTER.streamName(), seq(alert(room, a -> a.put("n", 10)), uid, 10)); // a copy
            // the same seq from another uid is another node's: delivered
            redis.sync().xadd(CLUSTER.streamName(), seq(alert(room, a -> a.put("n", 107)), otherUid, 7));
            redis.sync().xadd(CLUSTER.streamName(), seq(alert(room, a -> a.put("n", 11)), uid, 11));

            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                got.add(manager.awaitObject("alert").getInt("n"));
            }
            assertThat(got).containsExactly(10, 7, 107, 11);
            manager.assertNone("alert", Duration.ofMillis(1000));
        }
    }

    @Test
    void anEntryForgedUnderTheNodesOwnUidIsNotDeliveredAndDoesNotSilenceIt() throws Exception {
        String t = ClusterNodes.tenant();
        String room = "tenant:" + t;
        try (SioClient manager = SioClient.authenticated(NODE.socketUrl(), NODE.managerToken(t, "m1"))) {
            NODE.postOk("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + t + "\",\"message\":\"first\"}");
            assertThat(manager.awaitObject("alert").getString("message")).isEqualTo("first");
            // the node's uid, as every entry it appends shows it
            List<StreamMessage<String, String>> entries = redis.sync().xrevrange(CLUSTER.streamName(),
                    Range.create("-", "+"), io.lettuce.core.Limit.from(1));
            String nodeUid = entries.get(0).getBody().get("uid");
            long nodeSeq = Long.parseLong(entries.get(0).getBody().get("seq"));
            redis.sync().xadd(CLUSTER.streamName(), seq(alert(room, a -> a.put("n", 1)), nodeUid, Long.MAX_VALUE));
            redis.sync().xadd(CLUSTER.streamName(), seq(alert(room, a -> a.put("n", 2)), nodeUid, nodeSeq + 1));

            NODE.postOk("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + t + "\",\"message\":\"second\"}");
            JSONObject next = manager.awaitObject("alert");
            assertThat(next.optString("message")).as("the forged entries are not delivered, the node's next emit is: %s",
                    next).isEqualTo("second");
            manager.assertNone("alert", Duration.ofMillis(1000));
        }
    }

    /** Every event name the socket receives from now on, in order. */
    private static List<String> recorded(SioClient c) {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        c.socket().onAnyIncoming(args -> events.add(String.valueOf(args[0])));
        return events;
    }

    /** Per reason, this node's dropped meter. */
    private static Map<String, Long> meters(List<Hostile> hostile) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Hostile h : hostile) {
            out.computeIfAbsent(h.reason(), r -> NODE.meter(DROPPED + "." + r));
        }
        return out;
    }

    private static ObjectNode payload(String tenant) {
        return JSON.createObjectNode().put("tenantId", tenant).put("message", "from the stream").put("severity", "info");
    }

    /** The adapter's broadcast message: {packet: {type: 2, data: [event, arg], nsp: "/"}, opts: {rooms, except, flags}}. */
    private static ObjectNode message(String room, String event, JsonNode arg) {
        ObjectNode message = JSON.createObjectNode();
        ObjectNode packet = message.putObject("packet").put("type", 2);
        ArrayNode data = packet.putArray("data").add(event);
        if (arg != null) {
            data.add(arg);
        }
        packet.put("nsp", "/");
        ObjectNode opts = message.putObject("opts");
        opts.putArray("rooms").add(room);
        opts.putArray("except");
        opts.putObject("flags");
        return message;
    }

    /** A stream entry as the adapter appends it (no seq: a Node.js server's). */
    private static Map<String, String> entry(ObjectNode message) throws Exception {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("uid", "intruder");
        body.put("nsp", "/");
        body.put("type", "3");
        body.put("data", JSON.writeValueAsString(message));
        return body;
    }

    /** A well-formed alert entry to {@code room}, its payload changed by {@code change}. */
    private static Map<String, String> alert(String room, Consumer<ObjectNode> change) throws Exception {
        ObjectNode arg = payload(room.substring("tenant:".length()));
        change.accept(arg);
        return entry(message(room, "alert", arg));
    }

    private static Map<String, String> with(Map<String, String> body, String field, String value) {
        body.put(field, value);
        return body;
    }

    private static Map<String, String> without(Map<String, String> body, String field) {
        body.remove(field);
        return body;
    }

    private static Map<String, String> seq(Map<String, String> body, String uid, long seq) {
        body.put("uid", uid);
        body.put("seq", Long.toString(seq));
        return body;
    }
}
