package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Node.js Socket.IO server (socket.io 4.8 with the official {@code @socket.io/redis-streams-adapter}, latest, in
 * {@code scripts/streams-adapter-check}) and a Java node in one cluster, on one stream: an alert posted to the Java
 * node's REST API reaches the official JavaScript client connected to the Node.js server in the tenant's room, and
 * {@code io.to("tenant:<t>").emit(...)} on the Node.js server reaches the Java sockets of that tenant, once, and no
 * other tenant's. The heartbeats and the close of a Node.js server (the adapter's 0.2 line writes them to the stream;
 * the latest writes broadcasts only) are passed over by the Java node without being counted as dropped.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(180)
class StreamsAdapterInteropTest {
    static final Path SCRIPTS = Path.of("scripts/streams-adapter-check");
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    static final TestApp JAVA = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = JAVA.extension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration NO_SECOND_COPY = Duration.ofMillis(1500);
    static final RedisClient REDIS = RedisClient.create(ClusterNodes.REDIS);

    /** The Node.js server with the latest adapter, for the whole class. */
    static NodeServer server;

    @BeforeAll
    static void startNodeServer() throws Exception {
        NodeScripts.install(SCRIPTS);
        server = NodeServer.start("latest", 5_000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        REDIS.shutdown();
    }

    @Test
    void anAlertPostedToTheJavaNodeReachesTheJsClientOfTheNodeServerInTheTenantsRoom() throws Exception {
        String t = ClusterNodes.tenant();
        String other = ClusterNodes.tenant();
        try (JsClient inTenant = JsClient.connect(server, "tenant:" + t);
             JsClient inOther = JsClient.connect(server, "tenant:" + other);
             SioClient javaSocket = SioClient.authenticated(JAVA.socketUrl(), JAVA.managerToken(t, "m1"))) {
            JsonNode answer = JAVA.postOk("/emit/alert", TestApp.ADMIN_KEY,
                    "{\"tenantId\":\"" + t + "\",\"message\":\"storm from java\",\"severity\":\"warning\"}");
            assertThat(answer.path("delivered").asInt()).as("the Java node counts its own cluster's sockets").isEqualTo(1);

            JsonNode args = inTenant.nextEvent("alert");
            assertThat(args).hasSize(1);
            assertThat(args.get(0).path("message").asText()).isEqualTo("storm from java");
            assertThat(args.get(0).path("tenantId").asText()).isEqualTo(t);
            assertThat(args.get(0).path("severity").asText()).isEqualTo("warning");
            assertThat(javaSocket.awaitObject("alert").getString("message")).isEqualTo("storm from java");

            Thread.sleep(NO_SECOND_COPY.toMillis());
            assertThat(inTenant.events()).as("one copy on the Node.js side").hasSize(1);
            assertThat(inOther.events()).as("another tenant's room on the Node.js server").isEmpty();
            javaSocket.assertNone("alert", Duration.ofMillis(100));

            // the other tenant's JS client would have got one: it gets its own tenant's, and only that
            JAVA.postOk("/emit/alert", TestApp.ADMIN_KEY,
                    "{\"tenantId\":\"" + other + "\",\"message\":\"for the other tenant\"}");
            assertThat(inOther.nextEvent("alert").get(0).path("message").asText()).isEqualTo("for the other tenant");
            assertThat(inOther.events()).hasSize(1);
            assertThat(inTenant.events()).hasSize(1);
        }
    }

    @Test
    void anEmitOfTheNodeServerToATenantRoomReachesTheJavaSocketsOfThatTenantOnce() throws Exception {
        String t = ClusterNodes.tenant();
        String other = ClusterNodes.tenant();
        try (SioClient manager = SioClient.authenticated(JAVA.socketUrl(), JAVA.managerToken(t, "m1"));
             SioClient salesman = SioClient.authenticated(JAVA.socketUrl(), JAVA.salesmanToken(t, "s-" + t), "polling");
             SioClient otherTenant = SioClient.authenticated(JAVA.socketUrl(), JAVA.managerToken(other, "m2"))) {
            long received = JAVA.meter("cluster.messages.received");
            server.emit(List.of("tenant:" + t), "alert",
                    JSON.createObjectNode().put("tenantId", t).put("message", "storm from node").put("severity", "info"));
            for (SioClient c : List.of(manager, salesman)) {
                JSONObject alert = c.awaitObject("alert");
                assertThat(alert.getString("message")).isEqualTo("storm from node");
                assertThat(alert.getString("tenantId")).isEqualTo(t);
            }

            // the other tenant's socket would have got one: the first alert it gets is its own tenant's (the stream
            // is read in order, so the earlier emit to tenant t would have come before it)
            server.emit(List.of("tenant:" + other), "alert",
                    JSON.createObjectNode().put("tenantId", other).put("message", "for the other tenant"));
            assertThat(otherTenant.awaitObject("alert").getString("message")).isEqualTo("for the other tenant");

            for (SioClient c : List.of(manager, salesman)) { // no second copy, and not the other tenant's
                c.assertNone("alert", NO_SECOND_COPY);
            }
            otherTenant.assertNone("alert", Duration.ofMillis(100));
            assertThat(JAVA.meter("cluster.messages.received")).as("both Node.js entries were read as foreign")
                    .isEqualTo(received + 2);
        }
    }

    @Test
    void theHeartbeatsAndCloseOfANodeServerArePassedOverWithoutCountingThemAsDropped() throws Exception {
        String t = ClusterNodes.tenant();
        try (SioClient javaSocket = SioClient.authenticated(JAVA.socketUrl(), JAVA.managerToken(t, "m1"));
             StatefulRedisConnection<String, String> redis = REDIS.connect()) {
            long dropped = JAVA.meter("cluster.messages.dropped");
            long unsupported = JAVA.meter("cluster.messages.dropped.unsupported_type");
            String uid;
            // the adapter's 0.2 line (ClusterAdapterWithHeartbeat) appends its heartbeats to the stream: every 200 ms
            try (NodeServer withHeartbeats = NodeServer.start("0.2", 200)) {
                uid = withHeartbeats.uid();
                await().atMost(Duration.ofSeconds(10)).until(() -> typesFrom(redis, uid).stream()
                        .filter("2"::equals).count() >= 5);
                // the Java node reads on past them: this server's broadcast, appended after them, arrives
                withHeartbeats.emit(List.of("tenant:" + t), "alert",
                        JSON.createObjectNode().put("tenantId", t).put("message", "after the heartbeats"));
                assertThat(javaSocket.awaitObject("alert").getString("message")).isEqualTo("after the heartbeats");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> typesFrom(redis, uid).contains("13"));
            List<String> types = typesFrom(redis, uid);
            assertThat(types).as("what the 0.2 server appended").contains("1", "2", "3", "13")
                    .allMatch(type -> List.of("1", "2", "3", "13").contains(type));
            // read past its close too: an emit of the latest server, appended after it, arrives
            server.emit(List.of("tenant:" + t), "alert",
                    JSON.createObjectNode().put("tenantId", t).put("message", "after the close"));
            assertThat(javaSocket.awaitObject("alert").getString("message")).isEqualTo("after the close");

            assertThat(JAVA.meter("cluster.messages.dropped")).as("dropped, after %s entries of types %s", types.size(),
                    types).isEqualTo(dropped);
            assertThat(JAVA.meter("cluster.messages.dropped.unsupported_type")).isEqualTo(unsupported);
            javaSocket.assertNone("alert", Duration.ofMillis(300)); // nothing delivered from a heartbeat
        }
    }

    /** The types of the entries {@code uid} appended to the cluster's stream, in order. */
    private static List<String> typesFrom(StatefulRedisConnection<String, String> redis, String uid) {
        List<String> types = new ArrayList<>();
        for (StreamMessage<String, String> m : redis.sync().xrange(CLUSTER.streamName(), Range.create("-", "+"))) {
            if (uid.equals(m.getBody().get("uid"))) {
                types.add(m.getBody().get("type"));
            }
        }
        return types;
    }

    /** A Node.js process of {@code scripts/streams-adapter-check}. */
    static class NodeProcess extends com.salesmate.realtime.support.NodeProcess {
        NodeProcess(String script, Map<String, String> env) throws IOException {
            super(SCRIPTS, script, env);
        }
    }

    /**
     * server.mjs on a free port, in this test's cluster: its stream, and as channel prefix (the latest adapter's
     * pub/sub, for its requests) this cluster's channel key, as the two defaults ({@code socket.io}) are in production.
     */
    static final class NodeServer extends NodeProcess {
        private final int port;
        private final String uid;

        private NodeServer(int port, String adapter, long heartbeatInterval) throws Exception {
            super("server.mjs", Map.of("PORT", Integer.toString(port), "REDIS_URL", ClusterNodes.REDIS,
                    "STREAM", CLUSTER.streamName(), "CHANNEL_PREFIX", CLUSTER.channelKey(), "ADAPTER", adapter,
                    "HEARTBEAT_INTERVAL", Long.toString(heartbeatInterval)));
            this.port = port;
            this.uid = await(l -> l.startsWith("listening ")).split(" ")[2];
        }

        static NodeServer start(String adapter, long heartbeatInterval) throws Exception {
            return new NodeServer(TestApp.freePort(), adapter, heartbeatInterval);
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        /** The adapter's uid, as its stream entries carry it. */
        String uid() {
            return uid;
        }

        /** {@code io.to(rooms).emit(event, arg)} on the Node.js server. */
        void emit(List<String> rooms, String event, JsonNode arg) throws Exception {
            ObjectNode body = JSON.createObjectNode().put("event", event);
            rooms.forEach(body.putArray("rooms")::add);
            body.putArray("args").add(arg);
            // HTTP/1.1: the JDK client's h2c upgrade request would be taken by engine.io's upgrade handler and dropped
            HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(url() + "/emit"))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    /** The official JavaScript client (client.mjs) on the Node.js server, in {@code room}. */
    static final class JsClient extends NodeProcess {
        private JsClient(NodeServer server, String room) throws IOException {
            super("client.mjs", Map.of("SIO_URL", server.url(), "ROOMS", room));
        }

        /** Connected, and joined to its room by the server. */
        static JsClient connect(NodeServer server, String room) throws Exception {
            JsClient c = new JsClient(server, room);
            String id = c.await(l -> l.startsWith("connected ") || l.startsWith("connect_error ")).split(" ", 2)[1];
            assertThat(c.printed()).as("connect").noneMatch(l -> l.startsWith("connect_error "));
            server.await(l -> l.equals("joined " + id + " " + room));
            return c;
        }

        /** The arguments of the next {@code event} it receives. */
        JsonNode nextEvent(String event) throws Exception {
            String prefix = "event " + event + " ";
            return JSON.readTree(await(l -> l.startsWith(prefix)).substring(prefix.length()));
        }

        /** Every event line it printed so far. */
        List<String> events() {
            return printed().stream().filter(l -> l.startsWith("event ")).toList();
        }
    }
}
