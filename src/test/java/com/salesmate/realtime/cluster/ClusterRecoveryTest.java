package com.salesmate.realtime.cluster;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.JsPhone;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.RawEngineIo;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TcpProxy;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.socket.client.IO;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection state recovery across two nodes, with the official JavaScript client behind a network the test controls:
 * a phone on node A loses its network, the load balancer sends it to node B when it comes back (its address changed),
 * and B gives it its socket id, rooms and everything addressed to it meanwhile — emitted on either node — once and in
 * the stream's order; past the window, or with its token revoked during the gap, it gets no recovery.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(180)
class ClusterRecoveryTest {
    static final String WINDOW = "5s";
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    static final TestApp A = CLUSTER.node(PG.url(), ConfigOverride.config("socketio.recoveryWindow", WINDOW));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_A = A.extension();
    static final TestApp B = CLUSTER.node(PG.url(), ConfigOverride.config("socketio.recoveryWindow", WINDOW));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_B = B.extension();

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void aPhoneThatComesBackOnTheOtherNodeGetsEverythingItMissedOnceAndInOrder(String transport) throws Exception {
        String t = ClusterNodes.tenant();
        String s = "s-" + t;
        try (TcpProxy network = new TcpProxy(A.socketPort());
             JsPhone phone = JsPhone.start("http://127.0.0.1:" + network.port(), A.managerToken(t, "boss"),
                     transport);
             SioClient salesmanOnB = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, s))) {
            String first = phone.await(l -> l.startsWith("connected "));
            assertThat(first).endsWith(" false");
            String socketId = first.split(" ")[1];
            alert(B, t, "before");
            assertThat(phone.nextEvent()).isEqualTo("event alert before"); // the phone holds an offset now

            network.cut();
            phone.await(l -> l.startsWith("disconnect "));
            alert(A, t, "gap-1");
            for (double latitude : new double[] {12.1, 12.2, 12.3}) {
                JSONObject ack = salesmanOnB.emitAck("location:update", new JSONObject().put("latitude", latitude)
                        .put("longitude", 77.5).put("timestamp", System.currentTimeMillis()));
                assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            }
            alert(B, t, "gap-2");
            Thread.sleep(1_000); // still in the tunnel
            network.retarget(B.socketPort()); // back with another address: the balancer sends it to node B
            network.restore();

            String back = phone.await(l -> l.startsWith("connected "));
            assertThat(back).as("same socket id, recovered, on the other node: %s", phone.printed())
                    .isEqualTo("connected " + socketId + " true");
            alert(A, t, "after");
            phone.await("event alert after"::equals);
            List<String> events = phone.printed().stream().filter(l -> l.startsWith("event ")).toList();
            assertThat(events.stream().filter(l -> l.startsWith("event alert")))
                    .as("each alert once, in order: %s", events)
                    .containsExactly("event alert before", "event alert gap-1", "event alert gap-2",
                            "event alert after");
            assertThat(events.stream().filter(l -> l.startsWith("event location:updated")))
                    .as("the newest point only: %s", events)
                    .containsExactly("event location:updated 12.3");
            // the recovered socket is back in its rooms on B: a live location reaches it once
            salesmanOnB.emitAck("location:update", new JSONObject().put("latitude", 12.4).put("longitude", 77.5)
                    .put("timestamp", System.currentTimeMillis()));
            phone.await("event location:updated 12.4"::equals);
        }
    }

    @Test
    void pastTheWindowThePhoneGetsAFreshSessionAndNothingOfTheGap() throws Exception {
        String t = ClusterNodes.tenant();
        try (TcpProxy network = new TcpProxy(A.socketPort());
             JsPhone phone = JsPhone.start("http://127.0.0.1:" + network.port(), A.managerToken(t, "boss"),
                     "websocket")) {
            String first = phone.await(l -> l.startsWith("connected "));
            String socketId = first.split(" ")[1];
            alert(B, t, "before");
            phone.await("event alert before"::equals);

            network.cut();
            phone.await(l -> l.startsWith("disconnect "));
            alert(B, t, "gap");
            Thread.sleep(Duration.parse("PT" + WINDOW).toMillis() + 1_500); // longer than the window
            network.retarget(B.socketPort());
            network.restore();

            String back = phone.await(l -> l.startsWith("connected "));
            assertThat(back).as("a fresh session: %s", phone.printed()).endsWith(" false")
                    .isNotEqualTo("connected " + socketId + " false");
            alert(A, t, "after"); // the fresh socket is in the tenant's room: live events reach it
            phone.await("event alert after"::equals);
            assertThat(phone.printed().stream().filter(l -> l.startsWith("event alert")))
                    .as("the gap is not replayed past the window (within it, the test above gets it): %s",
                            phone.printed())
                    .containsExactly("event alert before", "event alert after");
        }
    }

    @Test
    void aTokenRevokedDuringTheGapRecoversNothing() throws Exception {
        String t = ClusterNodes.tenant();
        String s = "s-" + t;
        try (TcpProxy network = new TcpProxy(A.socketPort());
             JsPhone phone = JsPhone.start("http://127.0.0.1:" + network.port(), A.salesmanToken(t, s),
                     "websocket")) {
            phone.await(l -> l.startsWith("connected "));
            alert(B, t, "before");
            phone.await("event alert before"::equals);

            network.cut();
            phone.await(l -> l.startsWith("disconnect "));
            alert(B, t, "gap");
            HttpResponse<String> revoked = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(B.adminUrl("/tasks/disconnect?salesmanId=" + s + "&revokeFor=1h")))
                    .header("Authorization", "Bearer " + TestApp.ADMIN_KEY)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
            network.retarget(B.socketPort());
            network.restore();

            String refused = phone.await(l -> l.startsWith("connect_error ") || l.startsWith("connected "));
            assertThat(refused).as("the revoked token is refused: %s", phone.printed()).startsWith("connect_error ");
            assertThat(phone.printed()).as("nothing of the gap: %s", phone.printed())
                    .doesNotContain("event alert gap").filteredOn(l -> l.startsWith("connected ")).hasSize(1);
        }
    }

    @Test
    void theJavaClientWithoutRecoveryReconnectsAndReceivesAsBefore() throws Exception {
        String t = ClusterNodes.tenant();
        try (TcpProxy network = new TcpProxy(A.socketPort())) {
            IO.Options options = SioClient.options(A.managerToken(t, "boss"));
            options.reconnection = true;
            options.reconnectionDelay = 200;
            options.reconnectionDelayMax = 500;
            try (SioClient boss = SioClient.open("http://127.0.0.1:" + network.port(), options)) {
                boss.awaitConnected();
                boss.await("authenticated");
                alert(B, t, "from-b");
                JSONObject first = boss.awaitObject("alert");
                assertThat(first.getString("message")).isEqualTo("from-b");
                network.cut();
                assertThat(boss.awaitDisconnected()).isEqualTo("transport error");
                network.retarget(B.socketPort());
                network.restore();
                boss.await("authenticated"); // a fresh session on B: the 2.x client sends no pid
                alert(A, t, "from-a");
                assertThat(boss.awaitObject("alert").getString("message")).isEqualTo("from-a");
                boss.assertNone("alert", Duration.ofMillis(500)); // once
            }
        }
    }

    @Test
    void anAuthenticateSentBeforeTheConnectIsAnsweredIsNotHandled() throws Exception {
        String y = ClusterNodes.tenant();
        String x = ClusterNodes.tenant();
        // a pid nobody holds: the CONNECT is answered only after the other node was asked (up to 300 ms)
        try (RawEngineIo c = RawEngineIo.websocket(A.socketUrl())) {
            c.send("40" + RawEngineIo.object("token", A.managerToken(y, "boss"), "pid", "AAAAAAAAAAAAAAAAAAAAAA"));
            c.emit("authenticate", RawEngineIo.object("token", A.salesmanToken(x, "s-" + x)), 1); // raced past it
            String answer = c.awaitPacket(RawEngineIo::isConnectAnswer, RawEngineIo.WAIT);
            assertThat(answer).startsWith("40{");
            JSONObject welcome = c.awaitEvent("authenticated", RawEngineIo.WAIT);
            assertThat(welcome.getString("tenantId")).as("the CONNECT's identity").isEqualTo(y);
            assertThat(welcome.getString("role")).isEqualTo("manager");
            // the same authenticate once the CONNECT is answered is handled (refused: another identity)
            c.emit("authenticate", RawEngineIo.object("token", A.salesmanToken(x, "s-" + x)), 2);
            c.awaitPacket(RawEngineIo.ackPacket(2).or(p -> p.startsWith("42[\"auth:error\"")), RawEngineIo.WAIT);
            assertThat(c.received()).as("the raced authenticate got no answer: %s", c.received())
                    .noneMatch(RawEngineIo.ackPacket(1))
                    .noneMatch(p -> p.contains("\"tenantId\":\"" + x + "\"") && p.startsWith("42[\"authenticated\""));
        }
    }

    @Test
    void aCopyOfAnEntryTheClientAlreadyHadIsNotReplayed() throws Exception {
        String t = ClusterNodes.tenant();
        String room = "tenant:" + t;
        String otherNode = "node-" + t;
        try (TcpProxy network = new TcpProxy(A.socketPort());
             JsPhone phone = JsPhone.start("http://127.0.0.1:" + network.port(), A.managerToken(t, "boss"),
                     "websocket");
             RedisClient client = RedisClient.create(ClusterNodes.REDIS);
             StatefulRedisConnection<String, String> redis = client.connect()) {
            String first = phone.await(l -> l.startsWith("connected "));
            String socketId = first.split(" ")[1];
            Map<String, String> one = entry(otherNode, 5, room, "one");
            redis.sync().xadd(CLUSTER.streamName(), one);
            phone.await("event alert one"::equals); // the client's offset is now this entry's

            network.cut();
            phone.await(l -> l.startsWith("disconnect "));
            redis.sync().xadd(CLUSTER.streamName(), one); // the other node's append landed twice
            redis.sync().xadd(CLUSTER.streamName(), entry(otherNode, 6, room, "two"));
            network.retarget(B.socketPort());
            network.restore();

            assertThat(phone.await(l -> l.startsWith("connected "))).isEqualTo("connected " + socketId + " true");
            phone.await("event alert two"::equals);
            alert(A, t, "after");
            phone.await("event alert after"::equals);
            assertThat(phone.printed().stream().filter(l -> l.startsWith("event alert")))
                    .as("the copy of 'one' is not replayed: %s", phone.printed())
                    .containsExactly("event alert one", "event alert two", "event alert after");
        }
    }

    /** A stream entry of another node: an alert to {@code room}. */
    private static Map<String, String> entry(String uid, long seq, String room, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("uid", uid);
        body.put("nsp", "/");
        body.put("type", "3");
        body.put("data", "{\"packet\":{\"type\":2,\"data\":[\"alert\",{\"message\":\"" + message
                + "\"}],\"nsp\":\"/\"},\"opts\":{\"rooms\":[\"" + room + "\"],\"except\":[],\"flags\":{}}}");
        body.put("seq", Long.toString(seq));
        return body;
    }

    private static void alert(TestApp node, String tenantId, String message) {
        var res = node.post("/emit/alert", TestApp.ADMIN_KEY,
                "{\"tenantId\":\"" + tenantId + "\",\"message\":\"" + message + "\"}");
        assertThat(res.getStatus()).as(res.readEntity(String.class)).isEqualTo(200);
    }
}
