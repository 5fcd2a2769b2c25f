package com.salesmate.realtime.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.RawEngineIo;
import com.salesmate.realtime.support.RawHttp;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.assertj.core.api.SoftAssertions;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Size, connection and handshake-rate limits of the Socket.IO edge, and tolerance of unknown payload fields. */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(180)
class LimitsTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final Duration WAIT = Duration.ofSeconds(10);
    static final int LIMIT = 1_000_000;

    // ---- sizes -----------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"websocket", "polling"})
    void aBatchOf500PointsWithEveryFieldIsAccepted(String transport) throws Exception {
        String salesman = "lim-batch-" + transport;
        long t0 = System.currentTimeMillis() - 3_600_000;
        JSONArray points = new JSONArray();
        for (int i = 0; i < 500; i++) {
            points.put(new JSONObject()
                    .put("latitude", 45.123456 + i * 1e-5).put("longitude", -122.654321 + i * 1e-5)
                    .put("accuracy", 4.75).put("speed", 13.25).put("heading", (i * 7) % 360)
                    .put("altitude", 152.5).put("battery", 100 - (i % 100)).put("timestamp", t0 + i * 1_000L)
                    .put("salesmanId", salesman));
        }
        JSONObject batch = new JSONObject().put("points", points);
        int size = batch.toString().getBytes(StandardCharsets.UTF_8).length;
        System.out.printf("[limits] 500-point batch: %d bytes%n", size);
        assertThat(size).isBetween(50_000, LIMIT);

        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("lim-t", salesman), transport)) {
            JSONObject ack = s.emitAck("location:batch", batch);
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            assertThat(ack.getInt("accepted")).as(ack.toString()).isEqualTo(500);
            assertThat(ack.getInt("duplicates")).isZero();
            assertThat(ack.getJSONArray("rejected").length()).isZero();
        }
        assertThat(count(salesman)).isEqualTo(500);
    }

    /** Opcode of a frame that continues a fragmented message. */
    private static final int CONTINUATION = 0x0;

    /** A raw websocket session (it sends exactly the frames it is given) that has checked maxPayload and authenticated. */
    private static RawHttp websocket(String token) throws Exception {
        RawHttp ws = RawHttp.websocket(null, APP.socketPort(), 0);
        assertThat(ws.awaitText(p -> p.startsWith("0{"), WAIT)).contains("\"maxPayload\":" + LIMIT);
        ws.sendText("40" + new JSONObject().put("token", token));
        ws.awaitText(p -> p.startsWith("42[\"authenticated\""), WAIT);
        return ws;
    }

    /** One frame by hand: the JDK WebSocket client splits long messages into fragments, so it cannot send this. */
    @Test
    void aWebsocketFrameOverOneMegabyteClosesWith1009AndIsCounted() throws Exception {
        String meter = "socketio.connections.disconnects.reason.payload_too_large";
        long before = APP.meter(meter);
        try (RawHttp ws = websocket(APP.salesmanToken("lim-t", "lim-frame"))) {
            // positive control: a frame of exactly the limit is read (an unknown event: ignored) and the socket lives on
            ws.sendText(eventOfSize(LIMIT));
            ws.sendText("421[\"location:update\"," + point(System.currentTimeMillis() - 1_000) + "]");
            assertThat(ws.awaitText(p -> p.startsWith("431["), WAIT)).contains("\"success\":true");
            assertThat(APP.meter(meter)).isEqualTo(before);

            ws.sendText(eventOfSize(LIMIT + 1));
            int code = ws.awaitCloseCode(Duration.ofSeconds(5));
            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(code).as("close code (-1: none)").isEqualTo(1009);
            soft.assertThatCode(() -> await().atMost(Duration.ofSeconds(5)).until(() -> APP.meter(meter) == before + 1))
                    .as("%s + 1 (was %d)", meter, before).doesNotThrowAnyException();
            soft.assertAll();
        }
    }

    /** The limit is the Engine.IO packet's (maxPayload in OPEN): a message over it in two fragments is refused alike. */
    @Test
    void aWebsocketMessageOverOneMegabyteInFragmentsClosesWith1009() throws Exception {
        String meter = "socketio.connections.disconnects.reason.payload_too_large";
        long before = APP.meter(meter);
        try (RawHttp ws = websocket(APP.salesmanToken("lim-t", "lim-fragments"))) {
            // positive control: fragments adding up to exactly the limit are taken
            byte[] fits = eventOfSize(LIMIT).getBytes(StandardCharsets.UTF_8);
            ws.sendFrame(false, RawHttp.Frame.TEXT, Arrays.copyOfRange(fits, 0, 600_000));
            ws.sendFrame(true, CONTINUATION, Arrays.copyOfRange(fits, 600_000, fits.length));
            ws.sendText("421[\"location:update\"," + point(System.currentTimeMillis() - 1_000) + "]");
            assertThat(ws.awaitText(p -> p.startsWith("431["), WAIT)).contains("\"success\":true");

            byte[] over = eventOfSize(LIMIT + 200_000).getBytes(StandardCharsets.UTF_8);
            ws.sendFrame(false, RawHttp.Frame.TEXT, Arrays.copyOfRange(over, 0, 600_000));
            ws.sendFrame(true, CONTINUATION, Arrays.copyOfRange(over, 600_000, over.length));
            ws.sendText("422[\"location:update\"," + point(System.currentTimeMillis() - 500) + "]");
            SoftAssertions soft = new SoftAssertions();
            soft.assertThatCode(() -> assertThat(ws.awaitCloseCode(Duration.ofSeconds(5)))
                    .as("close code (-1: none)").isEqualTo(1009)).doesNotThrowAnyException();
            soft.assertThat(ws.texts()).as("the event behind the oversized message is never handled")
                    .noneMatch(p -> p.startsWith("432["));
            soft.assertThatCode(() -> await().atMost(Duration.ofSeconds(5)).until(() -> APP.meter(meter) == before + 1))
                    .as("%s + 1 (was %d)", meter, before).doesNotThrowAnyException();
            soft.assertAll();
        }
    }

    @Test
    void aPollingPostOverOneMegabyteIsAnswered413AndEndsTheSession() throws Exception {
        try (RawEngineIo raw = RawEngineIo.polling(APP.socketUrl())) {
            raw.authenticate(APP.salesmanToken("lim-t", "lim-post"));
            // positive control: a body of exactly the limit is taken
            assertThat(raw.sendRaw(eventOfSize(LIMIT))).as("%d %s", raw.lastStatus(), raw.lastErrorBody()).isTrue();
            raw.emit("location:update", point(System.currentTimeMillis() - 1_000), 1);
            assertThat(raw.awaitAck(1, WAIT).getBoolean("success")).isTrue();

            assertThat(raw.sendRaw(eventOfSize(LIMIT + 1))).isFalse();
            assertThat(raw.lastStatus()).isEqualTo(413);
            JsonNode error = JSON.readTree(raw.lastErrorBody());
            assertThat(error.path("code").asInt()).isEqualTo(3);
            assertThat(error.path("message").asText()).isEqualTo("Payload too large");
            assertThat(raw.awaitClosed(Duration.ofSeconds(5))).as("session ended (next request 400 code 1)").isTrue();
            HttpResponse<String> late = get(RawEngineIo.endpoint(APP.socketUrl(), "polling", raw.sid()));
            assertThat(late.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(late.body()).path("code").asInt()).isEqualTo(1);
        }
    }

    // ---- connection limits (an app of their own each) ---------------------------------------------------------------

    @Test
    void aFullNodeRefusesTheSixthHandshakeWith503AndAcceptsAgainOnceOneCloses() throws Exception {
        TestApp app = TestApp.create(ConfigOverride.config("socketio.maxConnections", "5"));
        app.extension().before();
        List<RawEngineIo> open = new ArrayList<>();
        try {
            openAuthenticated(app, 5, "lim-full", open);
            HttpResponse<String> sixth = handshake(app);
            assertRefused(sixth, 503);
            assertThat(app.meter("socketio.handshakes.refused.node_full")).isEqualTo(1);

            closeOneAndSeeAHandshakeAdmitted(app, open);
        } finally {
            open.forEach(RawEngineIo::close);
            app.extension().after();
        }
    }

    @Test
    void aFourthSocketFromTheSameAddressIsRefusedWith429WhileAnotherAddressIsServed() throws Exception {
        TestApp app = TestApp.create(ConfigOverride.config("socketio.maxConnectionsPerAddress", "3"));
        app.extension().before();
        List<RawEngineIo> open = new ArrayList<>();
        try {
            openAuthenticated(app, 3, "lim-addr", open);
            assertRefused(handshake(app), 429);
            assertThat(app.meter("socketio.handshakes.refused.address_full")).isEqualTo(1);
            // positive control: the limit is per address, another loopback address still gets in
            assertThat(rawHandshakeFrom("127.0.0.2", app.socketPort())).startsWith("HTTP/1.1 200");

            closeOneAndSeeAHandshakeAdmitted(app, open);
        } finally {
            open.forEach(RawEngineIo::close);
            app.extension().after();
        }
    }

    /** Opens {@code n} authenticated websocket sockets of managers of {@code tenant}, kept in {@code open}. */
    private static void openAuthenticated(TestApp app, int n, String tenant, List<RawEngineIo> open) throws Exception {
        for (int i = 0; i < n; i++) {
            RawEngineIo raw = RawEngineIo.websocket(app.socketUrl());
            open.add(raw);
            raw.authenticate(app.managerToken(tenant, "m" + i));
        }
    }

    /** The slot a closed socket frees is given to the next handshake. */
    private static void closeOneAndSeeAHandshakeAdmitted(TestApp app, List<RawEngineIo> open) {
        open.remove(0).close();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> handshake(app).statusCode() == 200);
    }

    @Test
    void handshakesBeyondThePerAddressRateAreRefusedWith429AndAllowedAgainASecondLater() throws Exception {
        TestApp app = TestApp.create(ConfigOverride.config("socketio.handshakesPerAddressPerSecond", "5"),
                ConfigOverride.config("socketio.handshakeBurstPerAddress", "10"));
        app.extension().before();
        try {
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                burst.add(HTTP.sendAsync(handshakeRequest(app), HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            int refused = 0;
            for (CompletableFuture<HttpResponse<String>> f : burst) {
                HttpResponse<String> r = f.join();
                if (r.statusCode() == 200) {
                    assertThat(r.body()).startsWith("0{");
                    ok++;
                } else {
                    assertRefused(r, 429);
                    refused++;
                }
            }
            System.out.printf("[limits] 30 quick handshakes at 5/s (burst 10): %d accepted, %d refused%n", ok, refused);
            assertThat(ok).as("the burst allowance is served").isBetween(5, 20);
            assertThat(refused).isPositive();
            assertThat(app.meter("socketio.handshakes.refused.rate")).isEqualTo(refused);

            Thread.sleep(1_000); // the bucket refills with time; nothing to await but the clock
            HttpResponse<String> later = handshake(app);
            assertThat(later.statusCode()).as(later.body()).isEqualTo(200);
        } finally {
            app.extension().after();
        }
    }

    // ---- payload fields --------------------------------------------------------------------------------------------

    @Test
    void unknownLocationFieldsAreAcceptedAndCountedWhileAWrongTypeIsStillRefused() throws Exception {
        String meter = "socketio.unknown-fields.location_update";
        long before = APP.meter(meter);
        long t = System.currentTimeMillis() - 5_000;
        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("lim-t", "lim-fields"))) {
            JSONObject ack = s.emitAck("location:update", point(t).put("appVersion", "9.1"));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            assertThat(count("lim-fields")).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> APP.meter(meter) == before + 1);

            JSONObject wrong = s.emitAck("location:update", point(t + 1).put("latitude", "45.5"));
            assertThat(wrong.getBoolean("success")).as(wrong.toString()).isFalse();
            assertThat(wrong.getJSONObject("error").getString("code")).isEqualTo("invalid_payload");
            assertThat(count("lim-fields")).isEqualTo(1);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** {@code 42["lim:ignored","xxx…"]} of exactly {@code bytes} bytes: an unknown event, which the server ignores. */
    private static String eventOfSize(int bytes) {
        String head = "42[\"lim:ignored\",\"";
        String tail = "\"]";
        String packet = head + "x".repeat(bytes - head.length() - tail.length()) + tail;
        assertThat(packet.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
        return packet;
    }

    private static JSONObject point(long timestamp) throws Exception {
        return new JSONObject().put("latitude", 45.5).put("longitude", 9.2).put("timestamp", timestamp);
    }

    private static void assertRefused(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("code").asInt(-1)).as(r.body()).isEqualTo(4);
        assertThat(body.path("message").asText()).isNotBlank();
        assertThat(r.body()).doesNotContain("\"sid\"");
    }

    private static HttpRequest handshakeRequest(TestApp app) {
        return HttpRequest.newBuilder(URI.create(RawEngineIo.endpoint(app.socketUrl(), "polling", null)))
                .timeout(Duration.ofSeconds(5)).GET().build();
    }

    private static HttpResponse<String> handshake(TestApp app) throws Exception {
        return HTTP.send(handshakeRequest(app), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A polling handshake over a TCP connection from the given local address; answers the raw HTTP response. */
    private static String rawHandshakeFrom(String localAddress, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(localAddress, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8); // the server closes after answering
        }
    }

    private static long count(String salesmanId) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + APP.sqliteFile());
             PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM locations WHERE salesman_id = ?")) {
            st.setString(1, salesmanId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
