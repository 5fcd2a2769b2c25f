package com.salesmate.realtime.edge;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.support.StoredLocations;
import com.salesmate.realtime.support.RawEngineIo;
import com.salesmate.realtime.support.RawHttp;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Server decisions to end a session, enforced against a raw client that ignores {@code 41} and keeps sending. */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServerDecisionsCloseTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    static final String TENANT = "decide-t";
    static final Duration WAIT = Duration.ofSeconds(10);
    /** From {@code 41} to a closed transport: the closeTimeout (1 s) plus slack for a noisy machine. */
    static final Duration CLOSED_AFTER_41 = Duration.ofSeconds(3);
    /** How long an event sent after the decision is given to (wrongly) be handled. */
    static final Duration QUIET = Duration.ofMillis(1500);

    static String fresh(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static JSONObject location(long timestamp) {
        return RawEngineIo.object("latitude", 12.9, "longitude", 77.6, "timestamp", timestamp);
    }

    /** Stored {@code recorded_at} of the salesman's rows in the SQLite file, read with plain JDBC. */
    static List<Long> stored(Path sqlite, String salesmanId) {
        return new StoredLocations(sqlite).timestamps(salesmanId);
    }

    /** Positive control: a location:update on the live session is acked with success and its row is there. */
    static void assertStored(RawEngineIo c, Path sqlite, String salesmanId, long timestamp, int ackId) {
        assertThat(c.emit("location:update", location(timestamp), ackId)).isTrue();
        JSONObject ack = c.awaitAck(ackId, WAIT);
        assertThat(ack.opt("success")).as(ack.toString()).isEqualTo(true);
        assertThat(stored(sqlite, salesmanId)).contains(timestamp);
    }

    /**
     * After a decision: {@code 41} (after the reason event, when there is one); a location:update sent the moment
     * {@code 41} arrives (the client ignores it) gets no ack and no row; the transport is closed within ~2 s.
     */
    static void assertEnforced(RawEngineIo c, Path sqlite, String salesmanId, long lateTimestamp, int lateAck,
                               String reasonPacketPrefix, Duration decisionWithin) throws Exception {
        String disconnect = c.awaitPacket("41", decisionWithin);
        long at41 = System.nanoTime();
        c.emit("location:update", location(lateTimestamp), lateAck); // ignoring 41
        boolean closed = c.awaitClosed(CLOSED_AFTER_41);
        long closedMs = (System.nanoTime() - at41) / 1_000_000;
        List<String> received = c.received();
        assertThat(closed).as("transport closed within %s after 41 over %s; received %s", CLOSED_AFTER_41,
                c.transport(), received).isTrue();
        if (reasonPacketPrefix != null) {
            int reason = indexOf(received, reasonPacketPrefix);
            assertThat(reason).as("reason %s before 41 in %s", reasonPacketPrefix, received)
                    .isGreaterThanOrEqualTo(0).isLessThan(received.indexOf(disconnect));
        }
        // still sending after the close must not throw, and is not handled either
        c.emit("location:update", location(lateTimestamp + 1), lateAck + 1);
        c.assertNoPacket(RawEngineIo.ackPacket(lateAck).or(RawEngineIo.ackPacket(lateAck + 1)), QUIET,
                "ack of an event sent after the decision");
        assertThat(stored(sqlite, salesmanId)).as("rows of %s (closed %d ms after 41)", salesmanId, closedMs)
                .doesNotContain(lateTimestamp, lateTimestamp + 1);
    }

    static int indexOf(List<String> packets, String prefix) {
        for (int i = 0; i < packets.size(); i++) {
            if (packets.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    static String errorCode(JSONObject authError) {
        JSONObject error = authError.optJSONObject("error");
        assertThat(error).as("error of %s", authError).isNotNull();
        return error.optString("code");
    }

    static Optional<JSONObject> status(String salesmanId) {
        Response res = APP.get("/salesmen/" + salesmanId + "/status", TestApp.ADMIN_KEY);
        String body = res.readEntity(String.class);
        if (res.getStatus() == 404) {
            return Optional.empty();
        }
        assertThat(res.getStatus()).as(body).isEqualTo(200);
        return Optional.of(RawEngineIo.parseObject(body));
    }

    static HttpResponse<String> disconnectTask(String query) throws Exception {
        URI task = URI.create(APP.adminUrl("/tasks/disconnect?" + query));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(task).header("Authorization", "Bearer "
                + TestApp.ADMIN_KEY).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void theAuthTimeoutEndsTheSessionAndLaterEventsAreNotHandled(String transport) throws Exception {
        String salesmanId = fresh("late");
        long ts = System.currentTimeMillis() - 1_000;
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            long connected = System.nanoTime();
            assertThat(c.connect(null)).startsWith("40{");
            // before the decision the session's events are handled (refused, not yet authenticated)
            c.emit("join:tenant", new JSONObject().put("tenantId", TENANT), 1);
            assertThat(errorCode(c.awaitAck(1, WAIT))).isEqualTo("unauthenticated");

            JSONObject error = c.awaitEvent("auth:error", WAIT);
            long decidedMs = (System.nanoTime() - connected) / 1_000_000;
            assertThat(errorCode(error)).isEqualTo("unauthenticated");
            assertThat(decidedMs).as("auth timeout is 2 s in test config").isBetween(1_500L, 8_000L);

            String disconnect = c.awaitPacket("41", WAIT);
            long at41 = System.nanoTime();
            c.emit("authenticate", new JSONObject().put("token", APP.salesmanToken(TENANT, salesmanId)), 2);
            c.emit("location:update", location(ts), 3);
            assertThat(c.awaitClosed(CLOSED_AFTER_41)).as("closed within %s after 41; received %s", CLOSED_AFTER_41,
                    c.received()).isTrue();
            assertThat((System.nanoTime() - at41) / 1_000_000).isLessThan(CLOSED_AFTER_41.toMillis());
            assertThat(indexOf(c.received(), "42[\"auth:error\"")).isLessThan(c.received().indexOf(disconnect));
            c.assertNoPacket(RawEngineIo.ackPacket(2).or(RawEngineIo.ackPacket(3))
                    .or(RawEngineIo.eventPacket("authenticated")), QUIET, "an answer to events sent after the timeout");
        }
        assertThat(stored(APP.sqliteFile(), salesmanId)).isEmpty();
        assertThat(status(salesmanId)).as("never online").isEmpty();

        // control: the same two events on a live session are handled, and stored
        String control = fresh("ontime");
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            assertThat(c.connect(null)).startsWith("40{");
            c.emit("authenticate", new JSONObject().put("token", APP.salesmanToken(TENANT, control)), 1);
            assertThat(c.awaitAck(1, WAIT).getBoolean("success")).isTrue();
            assertStored(c, APP.sqliteFile(), control, ts, 2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void tokenExpiryEndsTheSessionAndLaterEventsAreNotHandled(String transport) throws Exception {
        String salesmanId = fresh("exp");
        // exp has whole seconds: a 3 s ttl lives 2 to 3 s
        String token = APP.token("user-" + salesmanId, TENANT, Role.SALESMAN, salesmanId, Duration.ofSeconds(3));
        Instant exp = com.auth0.jwt.JWT.decode(token).getExpiresAtAsInstant();
        long ts = System.currentTimeMillis() - 1_000;
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            c.authenticate(token);
            assertStored(c, APP.sqliteFile(), salesmanId, ts, 1);

            JSONObject error = c.awaitEvent("auth:error", WAIT);
            assertThat(Instant.now()).as("not before the token's exp").isAfterOrEqualTo(exp.minusMillis(50));
            assertThat(errorCode(error)).isEqualTo("expired_token");
            assertEnforced(c, APP.sqliteFile(), salesmanId, ts + 10, 2, "42[\"auth:error\"", WAIT);
        }
        assertThat(stored(APP.sqliteFile(), salesmanId)).containsExactly(ts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void aClaimsMismatchEndsTheSessionAndLaterEventsAreNotHandled(String transport) throws Exception {
        String salesmanId = fresh("claims");
        String token = APP.salesmanToken(TENANT, salesmanId);
        long ts = System.currentTimeMillis() - 1_000;
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            c.authenticate(token);
            assertStored(c, APP.sqliteFile(), salesmanId, ts, 1);

            c.emit("authenticate", new JSONObject().put("token", token).put("tenantId", "another-tenant"));
            assertThat(errorCode(c.awaitEvent("auth:error", WAIT))).isEqualTo("claims_mismatch");
            assertEnforced(c, APP.sqliteFile(), salesmanId, ts + 10, 2, "42[\"auth:error\"", WAIT);
        }
        assertThat(stored(APP.sqliteFile(), salesmanId)).containsExactly(ts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void theDisconnectTaskEndsTheSessionAndLaterEventsAreNotHandled(String transport) throws Exception {
        String salesmanId = fresh("task");
        long ts = System.currentTimeMillis() - 1_000;
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            c.authenticate(APP.salesmanToken(TENANT, salesmanId));
            assertStored(c, APP.sqliteFile(), salesmanId, ts, 1);

            HttpResponse<String> answer = disconnectTask("salesmanId=" + salesmanId + "&revokeFor=1h");
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(answer.body()).contains("disconnected 1 sockets of salesman " + salesmanId);
            assertEnforced(c, APP.sqliteFile(), salesmanId, ts + 10, 2, null, WAIT);
        }
        assertThat(stored(APP.sqliteFile(), salesmanId)).containsExactly(ts);
    }

    /**
     * The Java client 2.x (Android) sees a shutdown at once and may reconnect: over websocket it never notices a
     * connection that ended with a close frame (OkHttp stops reading at one), so the node ends it without one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void theJavaClientSeesAShutdownAtOnce(String transport) throws Exception {
        TestApp own = TestApp.create();
        own.extension().before();
        try (SioClient phone = SioClient.authenticated(own.socketUrl(), own.salesmanToken(TENANT, fresh("java")),
                transport)) {
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> own.extension().after());
            assertThat(phone.awaitDisconnected(Duration.ofSeconds(5))).as("a lost transport, which it reconnects after")
                    .isIn("transport error", "transport close");
            stopping.get(60, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void shutdownClosesTheTransportWithoutA41(String transport) throws Exception {
        TestApp own = TestApp.create();
        own.extension().before();
        CompletableFuture<Void> stopping = null;
        String salesmanId = fresh("shut");
        long ts = System.currentTimeMillis() - 1_000;
        try (RawEngineIo c = RawEngineIo.open(own.socketUrl(), transport)) {
            c.authenticate(own.salesmanToken(TENANT, salesmanId));
            assertStored(c, own.sqliteFile(), salesmanId, ts, 1);

            stopping = CompletableFuture.runAsync(() -> own.extension().after());
            // the transport is closed without a Socket.IO disconnect: clients reconnect (to another node) and recover
            assertThat(c.awaitClosed(Duration.ofSeconds(30))).as("closed by the shutdown: %s", c.received()).isTrue();
            assertThat(c.received()).as("no 41: that would tell the client not to reconnect").doesNotContain("41");
            stopping.get(60, TimeUnit.SECONDS);
        } finally {
            if (stopping == null) {
                own.extension().after();
            }
        }
        assertThat(stored(own.sqliteFile(), salesmanId)).containsExactly(ts);
    }

    @Test
    void aWebsocketClientThatNeverAnswersTheCloseFrameIsCutOffWithinTheCloseTimeout() throws Exception {
        String salesmanId = fresh("deaf");
        long ts = System.currentTimeMillis() - 1_000;
        int port = APP.socketPort();
        try (RawHttp ws = RawHttp.connect(port)) {
            RawHttp.Response upgraded = ws.write(RawHttp.get("/socket.io/?EIO=4&transport=websocket", port,
                    RawHttp.websocketHeaders(Map.of()))).read(WAIT);
            assertThat(upgraded.status()).as(upgraded.toString()).isEqualTo(101);
            assertThat(nextText(ws)).startsWith("0{");
            ws.sendText("40" + new JSONObject().put("token", APP.salesmanToken(TENANT, salesmanId)));
            awaitText(ws, "42[\"authenticated\"");
            ws.sendText("421" + new JSONArray().put("location:update").put(location(ts)));
            String ack = awaitText(ws, "431[");
            assertThat(new JSONArray(ack.substring(3)).getJSONObject(0).getBoolean("success")).as(ack).isTrue();
            assertThat(stored(APP.sqliteFile(), salesmanId)).containsExactly(ts);

            assertThat(disconnectTask("salesmanId=" + salesmanId).statusCode()).isEqualTo(200);
            awaitText(ws, "41");
            long at41 = System.nanoTime();
            ws.sendText("422" + new JSONArray().put("location:update").put(location(ts + 10)));
            // read on, never answering the close frame
            List<RawHttp.Frame> after = new ArrayList<>();
            while (true) {
                Optional<RawHttp.Frame> f = ws.readFrame(CLOSED_AFTER_41);
                if (f.isEmpty()) {
                    break;
                }
                after.add(f.get());
                if (f.get().opcode() == RawHttp.Frame.CLOSE) {
                    assertThat(ws.serverClosed(CLOSED_AFTER_41))
                            .as("TCP closed although the close frame is not answered").isTrue();
                    break;
                }
            }
            long closedMs = (System.nanoTime() - at41) / 1_000_000;
            assertThat(after).as("frames after 41").anyMatch(f -> f.opcode() == RawHttp.Frame.CLOSE);
            assertThat(after).as("no ack for the event sent after 41").noneMatch(f -> f.text().startsWith("432"));
            assertThat(closedMs).as("TCP closed %d ms after 41", closedMs).isLessThan(CLOSED_AFTER_41.toMillis());
        }
        assertThat(stored(APP.sqliteFile(), salesmanId)).containsExactly(ts);
    }

    private static String nextText(RawHttp ws) {
        RawHttp.Frame f = ws.readFrame(WAIT).orElseThrow(() -> new AssertionError("connection ended"));
        assertThat(f.opcode()).as(f.toString()).isEqualTo(RawHttp.Frame.TEXT);
        return f.text();
    }

    /** Reads text frames (answering server pings) until one starts with the prefix. */
    private static String awaitText(RawHttp ws, String prefix) {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            RawHttp.Frame f = ws.readFrame(WAIT)
                    .orElseThrow(() -> new AssertionError("connection ended; read " + seen));
            String text = f.text();
            seen.add(f.toString());
            if (f.opcode() == RawHttp.Frame.TEXT && text.equals("2")) {
                ws.sendText("3");
            } else if (f.opcode() == RawHttp.Frame.TEXT && (text.startsWith(prefix))) {
                return text;
            }
        }
        throw new AssertionError("no frame starting with " + prefix + "; read " + seen);
    }
}
