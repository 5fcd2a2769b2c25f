package com.salesmate.realtime.edge;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.RawEngineIo;
import com.salesmate.realtime.support.RawHttp;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Socket.IO edge contract on the raw HTTP and packet exchange, each refusal paired with its valid twin. */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProtocolConformanceTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    static final String TENANT = "edge-t";
    static final Duration WAIT = Duration.ofSeconds(10);
    /** A session the server ends must be seen ended within this (the server's closeTimeout is 1 s). */
    static final Duration ENDED_WITHIN = Duration.ofSeconds(5);
    static final int MAX_PAYLOAD = 1_000_000;

    // ---- helpers ---------------------------------------------------------------------------------------------------

    static int port() {
        return APP.socketPort();
    }

    static String path(String query) {
        return "/socket.io/?" + query;
    }

    static String fresh(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String token(String salesmanId) {
        return APP.salesmanToken(TENANT, salesmanId);
    }

    /** An authenticated salesman session over the transport. */
    static RawEngineIo salesman(String transport, String salesmanId) {
        RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport);
        c.authenticate(token(salesmanId));
        return c;
    }

    /** The session handles events: a {@code join:tenant} of its own tenant is acked with success. */
    static void assertAlive(RawEngineIo c, int ackId) {
        assertThat(c.emit("join:tenant", RawEngineIo.object("tenantId", TENANT), ackId))
                .as("event sent over %s (%s)", c.transport(), c.lastErrorBody()).isTrue();
        JSONObject ack = c.awaitAck(ackId, WAIT);
        assertThat(ack.opt("success")).as(ack.toString()).isEqualTo(true);
    }

    /** The session is over: its transport closed, and its sid is unknown from then on. */
    static void assertEnded(RawEngineIo c, String what) {
        assertThat(c.awaitClosed(ENDED_WITHIN))
                .as("%s: the %s transport is closed within %s; received %s", what, c.transport(), ENDED_WITHIN,
                        c.received())
                .isTrue();
        assertSidUnknown(c.sid());
    }

    static void assertSidUnknown(String sid) {
        await().atMost(5, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertError(RawHttp.once(port(), requestWithSid("polling GET", sid)), 400, 1, "Session ID unknown"));
    }

    /** The contract's error answer: status, JSON type, {@code Connection: close}, exact body, then TCP closed. */
    static void assertError(RawHttp.Response r, int status, int code, String message) {
        JSONObject body = assertErrorShape(r, status, code);
        assertThat(body.opt("message")).as(r.toString()).isEqualTo(message);
    }

    static JSONObject assertErrorShape(RawHttp.Response r, int status, int code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).as(r.toString()).isNotNull().startsWith("application/json");
        assertThat(r.header("Connection")).as(r.toString()).isEqualToIgnoringCase("close");
        JSONObject body = r.json();
        assertThat(RawEngineIo.keys(body)).as(r.toString()).containsExactlyInAnyOrder("code", "message");
        assertThat(body.opt("code")).as(r.toString()).isEqualTo(code);
        assertThat(body.opt("message")).as(r.toString()).isInstanceOf(String.class);
        assertThat(r.closedAfter()).as("the server closes the connection after %s", r).isTrue();
        return body;
    }

    /** A handshake request: polling GET, or websocket GET with the upgrade headers. */
    static String handshake(String transport, String query, Map<String, String> headers) {
        Map<String, String> h = "websocket".equals(transport) ? RawHttp.websocketHeaders(headers) : headers;
        return RawHttp.get(path(query), port(), h);
    }

    /** A polling session opened by hand (no background poll): its sid. */
    static String rawPollingSession() {
        RawHttp.Response r = RawHttp.once(port(), RawHttp.get(path("EIO=4&transport=polling"), port(), Map.of()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.text()).startsWith("0{");
        return RawEngineIo.parseObject(r.text().substring(1)).optString("sid");
    }

    static String connectPacket(String salesmanId) {
        return "40" + RawEngineIo.object("token", token(salesmanId));
    }

    static RawHttp.Response rawPost(String sid, String body) {
        return RawHttp.once(port(), RawHttp.request("POST", path("EIO=4&transport=polling&sid=" + sid), port(),
                Map.of("Content-Type", "text/plain;charset=UTF-8"), body));
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

    static Stream<String> transports() {
        return Stream.of("websocket", "polling");
    }

    // ---- HTTP level ------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"EIO=4", "EIO=4&transport=", "EIO=4&transport=flash", "EIO=4&transport=websockets"})
    void aMissingOrUnknownTransportIsRefusedWithCode0(String query) throws Exception {
        assertError(RawHttp.once(port(), RawHttp.get(path(query), port(), Map.of())), 400, 0, "Transport unknown");

        RawHttp.Response valid = RawHttp.once(port(), RawHttp.get(path("EIO=4&transport=polling"), port(), Map.of()));
        assertThat(valid.status()).as(valid.toString()).isEqualTo(200);
        assertThat(valid.text()).startsWith("0{");
    }

    @ParameterizedTest
    @MethodSource("transports")
    void theOpenPacketAnnouncesAServerSidTheUpgradesThePingsAndMaxPayload(String transport) throws Exception {
        JSONObject open;
        if ("polling".equals(transport)) {
            RawHttp.Response r = RawHttp.once(port(), RawHttp.get(path("EIO=4&transport=polling"), port(), Map.of()));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.text()).as(r.toString()).startsWith("0{");
            open = new JSONObject(r.text().substring(1));
        } else {
            try (RawEngineIo c = RawEngineIo.websocket(APP.socketUrl())) {
                assertThat(c.received()).first().asString().startsWith("0{");
                open = c.handshake();
            }
        }
        assertThat(RawEngineIo.keys(open)).contains("sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload");
        assertThat(UUID.fromString(open.getString("sid")).toString()).isEqualTo(open.getString("sid"));
        JSONArray upgradesJson = open.getJSONArray("upgrades");
        List<Object> upgrades = new ArrayList<>();
        for (int i = 0; i < upgradesJson.length(); i++) {
            upgrades.add(upgradesJson.get(i));
        }
        if ("polling".equals(transport)) {
            assertThat(upgrades).containsExactly("websocket");
        } else {
            assertThat(upgrades).isEmpty();
        }
        assertThat(open.get("pingInterval")).isEqualTo(25_000);
        assertThat(open.get("pingTimeout")).isEqualTo(20_000);
        assertThat(open.get("maxPayload")).isEqualTo(MAX_PAYLOAD);
    }

    static Stream<Arguments> unknownSids() {
        List<Arguments> out = new ArrayList<>();
        for (String request : List.of("polling GET", "polling POST", "websocket")) {
            for (String sid : List.of(UUID.randomUUID().toString(), "not-a-session", "x".repeat(300), "%00%FF")) {
                out.add(Arguments.of(request, sid));
            }
        }
        return out.stream();
    }

    static String requestWithSid(String request, String sid) {
        String q = "EIO=4&transport=" + (request.startsWith("polling") ? "polling" : "websocket") + "&sid=" + sid;
        return switch (request) {
            case "polling GET" -> RawHttp.get(path(q), port(), Map.of());
            case "polling POST" -> RawHttp.request("POST", path(q), port(), Map.of("Content-Type", "text/plain"), "40");
            case "websocket" -> RawHttp.get(path(q), port(), RawHttp.websocketHeaders(Map.of()));
            default -> throw new IllegalArgumentException(request);
        };
    }

    @ParameterizedTest(name = "{0} sid={1}")
    @MethodSource("unknownSids")
    void anUnknownOrMalformedSidIsRefusedWithCode1(String request, String sid) throws Exception {
        assertError(RawHttp.once(port(), requestWithSid(request, sid)), 400, 1, "Session ID unknown");

        // the same request with a live session's sid is served
        String live = rawPollingSession();
        String liveRequest = request.equals("polling GET") // a GET would be held: the POST shows the sid is served
                ? requestWithSid("polling POST", live) : requestWithSid(request, live);
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response ok = c.write(liveRequest).read(WAIT);
            assertThat(ok.status()).as(ok.toString()).isEqualTo(request.equals("websocket") ? 101 : 200);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void theSidOfAClosedSessionIsRefusedWithCode1(String transport) throws Exception {
        String sid;
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            sid = c.sid();
            // while the session lives, its sid is served
            assertThat(c.connect(null)).startsWith("40{");
            assertThat(c.send("1")).isTrue();
            assertThat(c.awaitClosed(ENDED_WITHIN)).as("closed after 1; received %s", c.received()).isTrue();
        }
        for (String request : List.of("polling GET", "polling POST", "websocket")) {
            await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
                    assertError(RawHttp.once(port(), requestWithSid(request, sid)), 400, 1, "Session ID unknown"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH"})
    void aHandshakeWithAMethodOtherThanGetIsRefusedWithCode2(String method) throws Exception {
        String body = method.equals("DELETE") ? null : "40";
        assertError(RawHttp.once(port(), RawHttp.request(method, path("EIO=4&transport=polling"), port(),
                Map.of("Content-Type", "text/plain"), body)), 400, 2, "Bad handshake method");

        RawHttp.Response get = RawHttp.once(port(), RawHttp.get(path("EIO=4&transport=polling"), port(), Map.of()));
        assertThat(get.status()).as(get.toString()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PUT", "DELETE", "PATCH"})
    void aRequestWithASidAndAMethodOtherThanGetPostOrOptionsIsRefusedWithCode3(String method) throws Exception {
        String sid = rawPollingSession();
        RawHttp.Response post = rawPost(sid, "40");
        assertThat(post.status()).as("POST with the sid: %s", post).isEqualTo(200);

        String body = method.equals("PUT") || method.equals("PATCH") ? "40" : null;
        RawHttp.Response r = RawHttp.once(port(), RawHttp.request(method, path("EIO=4&transport=polling&sid=" + sid),
                port(), Map.of("Content-Type", "text/plain"), body));
        assertError(r, 400, 3, "Bad request");
    }

    @Test
    void pollingWithTheSidOfASessionThatUpgradedToWebsocketIsRefusedWithCode3() throws Exception {
        String salesmanId = fresh("up");
        try (RawEngineIo c = RawEngineIo.polling(APP.socketUrl())) {
            JSONObject welcome = c.authenticate(token(salesmanId)); // over polling: GET and POST served
            assertThat(welcome.getString("salesmanId")).isEqualTo(salesmanId);
            c.upgrade();
            assertThat(c.transport()).isEqualTo("websocket");
            assertAlive(c, 1); // the upgraded session works over the websocket

            assertError(RawHttp.once(port(), requestWithSid("polling GET", c.sid())), 400, 3, "Bad request");
            assertError(RawHttp.once(port(), requestWithSid("polling POST", c.sid())), 400, 3, "Bad request");
            assertAlive(c, 2); // the refused POST's CONNECT was not handled: a second CONNECT would end the session
        }
    }

    @Test
    void aSecondPendingGetIsRefusedWithCode3AndEndsTheSession() throws Exception {
        String sid = rawPollingSession();
        String poll = RawHttp.get(path("EIO=4&transport=polling&sid=" + sid), port(), Map.of());
        // one GET at a time is fine: CONNECT, then GETs return the answer and the welcome
        assertThat(rawPost(sid, connectPacket(fresh("poll2"))).status()).isEqualTo(200);
        StringBuilder read = new StringBuilder();
        while (!read.toString().contains("\"authenticated\"")) {
            RawHttp.Response r = RawHttp.once(port(), poll);
            assertThat(r.status()).as("sequential GET: %s", r).isEqualTo(200);
            read.append(r.text()).append(RawEngineIo.SEPARATOR);
        }
        assertThat(read.toString()).startsWith("40{");

        try (RawHttp pending = RawHttp.connect(port())) {
            pending.write(poll);
            assertThat(pending.hasDataWithin(Duration.ofMillis(700))).as("the first GET is held (nothing to send)")
                    .isFalse();

            assertError(RawHttp.once(port(), poll), 400, 3, "Bad request");

            Optional<RawHttp.Response> answered = pending.tryRead(WAIT);
            assertThat(answered).as("the pending GET is answered").isPresent();
        }
        assertSidUnknown(sid);
    }

    @Test
    void aWebsocketRequestWithoutTheUpgradeHeaderIsRefusedWithCode3() throws Exception {
        assertError(RawHttp.once(port(), RawHttp.get(path("EIO=4&transport=websocket"), port(), Map.of())),
                400, 3, "Bad request");
        String sid = rawPollingSession();
        assertError(RawHttp.once(port(), RawHttp.get(path("EIO=4&transport=websocket&sid=" + sid), port(), Map.of())),
                400, 3, "Bad request");

        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response upgraded = c.write(handshake("websocket", "EIO=4&transport=websocket", Map.of()))
                    .read(WAIT);
            assertThat(upgraded.status()).as(upgraded.toString()).isEqualTo(101);
        }
    }

    static Stream<Arguments> badVersions() {
        return transports().flatMap(t -> Stream.of("transport=" + t, "EIO=3&transport=" + t, "EIO=abc&transport=" + t,
                "EIO=5&transport=" + t, "EIO=&transport=" + t).map(q -> Arguments.of(t, q)));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badVersions")
    void anUnsupportedProtocolVersionIsRefusedWithCode5(String transport, String query) throws Exception {
        assertError(RawHttp.once(port(), handshake(transport, query, Map.of())), 400, 5,
                "Unsupported protocol version");

        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response ok = c.write(handshake(transport, "EIO=4&transport=" + transport, Map.of())).read(WAIT);
            assertThat(ok.status()).as(ok.toString()).isEqualTo("websocket".equals(transport) ? 101 : 200);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aHandshakeFromAnOriginOutsideTheAllowListIsForbiddenWithCode4(String transport) throws Exception {
        String query = "EIO=4&transport=" + transport;
        assertError(RawHttp.once(port(), handshake(transport, query, Map.of("Origin", "https://evil.example"))),
                403, 4, "Forbidden");

        int ok = "websocket".equals(transport) ? 101 : 200;
        for (Map<String, String> origin : List.of(Map.of("Origin", TestApp.ALLOWED_ORIGIN), Map.<String, String>of())) {
            try (RawHttp c = RawHttp.connect(port())) {
                RawHttp.Response r = c.write(handshake(transport, query, origin)).read(WAIT);
                assertThat(r.status()).as("%s: %s", origin, r).isEqualTo(ok);
            }
        }
    }

    @Test
    void aPreflightIsAnsweredForAnAllowedOriginOnlyAndNeverOpensASession() throws Exception {
        Map<String, String> allowed = Map.of("Origin", TestApp.ALLOWED_ORIGIN, "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "content-type");
        String preflight = path("EIO=4&transport=polling");
        RawHttp.Response r = RawHttp.once(port(), RawHttp.request("OPTIONS", preflight, port(), allowed, null));
        assertThat(r.status()).as(r.toString()).isEqualTo(204);
        assertThat(r.header("Access-Control-Allow-Origin")).as(r.toString()).isEqualTo(TestApp.ALLOWED_ORIGIN);
        assertThat(r.text()).as("no OPEN packet: no session").doesNotContain("sid").doesNotStartWith("0");

        Map<String, String> foreign = Map.of("Origin", "https://evil.example", "Access-Control-Request-Method", "POST");
        RawHttp.Response refused = RawHttp.once(port(), RawHttp.request("OPTIONS", preflight, port(), foreign, null));
        assertErrorShape(refused, 403, 4);
        assertThat(refused.header("Access-Control-Allow-Origin")).as(refused.toString()).isNull();
    }

    @Test
    void everyPollingAnswerSaysConnectionCloseAndTheServerThenCloses() throws Exception {
        Map<String, String> keepAlive = Map.of("Connection", "keep-alive");
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response open = c.exchange(RawHttp.get(path("EIO=4&transport=polling"), port(), keepAlive));
            assertThat(open.status()).as(open.toString()).isEqualTo(200);
            assertThat(open.header("Connection")).as(open.toString()).isEqualToIgnoringCase("close");
            assertThat(open.closedAfter()).as("closed after the handshake answer: %s", open).isTrue();
            // a second request on that connection is not silently half-served
            c.tryWrite(RawHttp.get(path("EIO=4&transport=polling"), port(), keepAlive));
            assertThat(c.tryRead(Duration.ofSeconds(2))).as("nothing more on a closed connection").isEmpty();

            String sid = new JSONObject(open.text().substring(1)).getString("sid");
            Map<String, String> postHeaders = new LinkedHashMap<>(keepAlive);
            postHeaders.put("Content-Type", "text/plain;charset=UTF-8");
            String withSid = path("EIO=4&transport=polling&sid=" + sid);
            RawHttp.Response post = RawHttp.once(port(), RawHttp.request("POST", withSid, port(), postHeaders,
                    connectPacket(fresh("keep"))));
            assertThat(post.status()).as(post.toString()).isEqualTo(200);
            assertThat(post.text()).isEqualTo("ok");
            assertThat(post.header("Connection")).as(post.toString()).isEqualToIgnoringCase("close");
            assertThat(post.closedAfter()).as("closed after the POST answer: %s", post).isTrue();

            RawHttp.Response get = RawHttp.once(port(), RawHttp.get(withSid, port(), keepAlive));
            assertThat(get.status()).as(get.toString()).isEqualTo(200);
            assertThat(get.text()).startsWith("40{");
            assertThat(get.header("Connection")).as(get.toString()).isEqualToIgnoringCase("close");
            assertThat(get.closedAfter()).as("closed after the GET answer: %s", get).isTrue();
        }
    }

    @Test
    void twoPipelinedPollingRequestsGetOneAnswerThenTheConnectionCloses() throws Exception {
        try (RawHttp c = RawHttp.connect(port())) {
            String handshake = RawHttp.get(path("EIO=4&transport=polling"), port(), Map.of());
            c.write(handshake + handshake);
            RawHttp.Response first = c.read(WAIT);
            assertThat(first.status()).as(first.toString()).isEqualTo(200);
            assertThat(first.header("Connection")).as(first.toString()).isEqualToIgnoringCase("close");
            assertThat(c.tryRead(Duration.ofSeconds(3))).as("no second answer after Connection: close").isEmpty();
        }
    }

    @Test
    void aPollingBodyAtTheSizeLimitIsHandledAndOneByteMoreIsRefusedWith413AndEndsTheSession() throws Exception {
        try (RawEngineIo c = salesman("polling", fresh("size"))) {
            String atLimit = packetOfSize(MAX_PAYLOAD);
            assertThat(atLimit.getBytes(StandardCharsets.UTF_8)).hasSize(MAX_PAYLOAD);
            assertThat(c.sendRaw(atLimit))
                    .as("a %d byte body is taken: %s %s", MAX_PAYLOAD, c.lastStatus(), c.lastErrorBody()).isTrue();
            assertAlive(c, 1);

            try (RawHttp raw = RawHttp.connect(port())) {
                raw.tryWrite(RawHttp.request("POST", path("EIO=4&transport=polling&sid=" + c.sid()), port(),
                        Map.of("Content-Type", "text/plain;charset=UTF-8"), packetOfSize(MAX_PAYLOAD + 1)));
                assertError(raw.readThenClosed(WAIT), 413, 3, "Payload too large");
            }
            assertEnded(c, "POST over maxHttpContent");
        }
    }

    @Test
    void aWebsocketFrameAtTheSizeLimitIsHandledAndOneByteMoreIsClosedWith1009() throws Exception {
        try (RawHttp ws = openWebsocket(null, APP, fresh("frame"))) {
            assertThat(ws.sendText(packetOfSize(MAX_PAYLOAD))).isTrue();
            assertFrameAlive(ws, 1);
            assertThat(ws.sendText(packetOfSize(MAX_PAYLOAD + 1))).isTrue();
            assertClosedWith(ws, 1009);
        }
    }

    @Test
    void aFragmentedWebsocketMessageAtTheSizeLimitIsHandledAndOneByteMoreIsClosedWith1009() throws Exception {
        try (RawHttp ws = openWebsocket(null, APP, fresh("frag"))) {
            byte[] atLimit = packetOfSize(MAX_PAYLOAD).getBytes(StandardCharsets.UTF_8);
            ws.sendFrame(false, RawHttp.Frame.TEXT, java.util.Arrays.copyOfRange(atLimit, 0, 600_000));
            ws.sendFrame(true, 0, java.util.Arrays.copyOfRange(atLimit, 600_000, atLimit.length));
            assertFrameAlive(ws, 1);

            byte[] over = packetOfSize(MAX_PAYLOAD + 1).getBytes(StandardCharsets.UTF_8);
            ws.sendFrame(false, RawHttp.Frame.TEXT, java.util.Arrays.copyOfRange(over, 0, 600_000));
            ws.sendFrame(true, 0, java.util.Arrays.copyOfRange(over, 600_000, over.length));
            assertClosedWith(ws, 1009);
        }
    }

    /** Over a raw websocket: a join:tenant with this ack id is acked with success. */
    static void assertFrameAlive(RawHttp ws, int ackId) {
        ws.sendText("42" + ackId + new JSONArray().put("join:tenant").put(RawEngineIo.object("tenantId", TENANT)));
        List<RawHttp.Frame> seen = new ArrayList<>();
        while (true) {
            RawHttp.Frame f = ws.readFrame(WAIT)
                    .orElseThrow(() -> new AssertionError("connection ended; read " + seen));
            seen.add(f);
            if (f.opcode() == RawHttp.Frame.TEXT && f.text().startsWith("43" + ackId + "[")) {
                assertThat(f.text()).as(f.toString()).contains("\"success\":true");
                return;
            }
            assertThat(f.opcode()).as("frames %s", seen).isNotEqualTo(RawHttp.Frame.CLOSE);
        }
    }

    /** Over a raw websocket: a close frame with the status code comes, and the server then closes TCP. */
    static void assertClosedWith(RawHttp ws, int code) {
        List<RawHttp.Frame> seen = new ArrayList<>();
        Optional<RawHttp.Frame> f;
        try {
            while ((f = ws.readFrame(ENDED_WITHIN)).isPresent() && f.get().opcode() != RawHttp.Frame.CLOSE) {
                seen.add(f.get());
            }
        } catch (AssertionError quiet) {
            throw new AssertionError("no close frame, and the connection is still open " + ENDED_WITHIN
                    + " later; frames: " + seen, quiet);
        }
        assertThat(f).as("a close frame (after %s), not just the end of the connection", seen).isPresent();
        assertThat(f.get().closeCode()).as(f.get().toString()).isEqualTo(code);
        assertThat(ws.serverClosed(ENDED_WITHIN)).as("TCP closed after the close frame").isTrue();
    }

    /** {@code 42["no-such-event","xxx…"]} of exactly n bytes: an unknown event, ignored. */
    static String packetOfSize(int n) {
        String head = "42[\"no-such-event\",\"";
        String tail = "\"]";
        return head + "x".repeat(n - head.length() - tail.length()) + tail;
    }

    @Test
    void handshakeLimitsRefuseWithTheirStatusAndSayWhich() throws Exception {
        TestApp limits = TestApp.create(ConfigOverride.config("socketio.maxConnections", "4"),
                ConfigOverride.config("socketio.maxConnectionsPerAddress", "2"));
        limits.extension().before();
        List<RawHttp> open = new ArrayList<>();
        try {
            int p = limits.socketPort();
            String pollingHandshake = RawHttp.get(path("EIO=4&transport=polling"), p, Map.of());
            // two sockets from 127.0.0.2: fine; a third from that address: too many
            open.add(openWebsocket("127.0.0.2", limits, "lim-1"));
            open.add(openWebsocket("127.0.0.2", limits, "lim-2"));
            JSONObject address;
            try (RawHttp third = RawHttp.connect("127.0.0.2", p)) {
                address = assertErrorShape(third.exchange(pollingHandshake), 429, 4);
            }
            // two more from 127.0.0.3 fill the node (4): a socket from yet another address is refused, node full
            open.add(openWebsocket("127.0.0.3", limits, "lim-3"));
            RawHttp last = openWebsocket("127.0.0.3", limits, "lim-4");
            JSONObject full;
            try (RawHttp fifth = RawHttp.connect("127.0.0.4", p)) {
                full = assertErrorShape(fifth.exchange(pollingHandshake), 503, 4);
            }
            assertThat(full.getString("message")).as("the answers say which limit")
                    .isNotEqualTo(address.getString("message"));
            // once a socket leaves there is room again
            last.close();
            await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                try (RawHttp again = RawHttp.connect("127.0.0.4", p)) {
                    RawHttp.Response r = again.exchange(pollingHandshake);
                    assertThat(r.status()).as(r.toString()).isEqualTo(200);
                }
            });
        } finally {
            open.forEach(RawHttp::close);
            limits.extension().after();
        }
    }

    @Test
    void handshakesOverThePerAddressRateAreRefusedWith429() throws Exception {
        TestApp rate = TestApp.create(ConfigOverride.config("socketio.handshakesPerAddressPerSecond", "2"),
                ConfigOverride.config("socketio.handshakeBurstPerAddress", "4"));
        rate.extension().before();
        try {
            int p = rate.socketPort();
            String pollingHandshake = RawHttp.get(path("EIO=4&transport=polling"), p, Map.of());
            List<RawHttp> connections = new ArrayList<>();
            List<RawHttp.Response> answers = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    connections.add(RawHttp.connect("127.0.0.5", p));
                }
                connections.forEach(c -> c.write(pollingHandshake));
                for (RawHttp c : connections) {
                    answers.add(c.readThenClosed(WAIT));
                }
            } finally {
                connections.forEach(RawHttp::close);
            }
            long accepted = answers.stream().filter(r -> r.status() == 200).count();
            List<RawHttp.Response> refused = answers.stream().filter(r -> r.status() != 200).toList();
            // a burst of 4 at once; a slow machine may refill one or two more meanwhile
            assertThat(accepted).as("accepted of 12 handshakes at once at 2/s: %s", answers).isBetween(4L, 7L);
            assertThat(refused).as("12 handshakes at once at 2/s: %s", answers).isNotEmpty();
            refused.forEach(r -> assertErrorShape(r, 429, 4));
            // another address is not limited by this one's rate
            try (RawHttp other = RawHttp.connect("127.0.0.6", p)) {
                RawHttp.Response r = other.exchange(pollingHandshake);
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
            }
        } finally {
            rate.extension().after();
        }
    }

    /** A websocket from the local address, authenticated (so the auth timeout does not end it), left open. */
    static RawHttp openWebsocket(String localAddress, TestApp app, String salesmanId) {
        RawHttp c = RawHttp.websocket(localAddress, app.socketPort(), 0);
        RawHttp.Frame open = c.readFrame(WAIT).orElseThrow();
        assertThat(open.text()).startsWith("0{");
        c.sendText("40" + RawEngineIo.object("token", app.salesmanToken(TENANT, salesmanId)));
        while (true) {
            RawHttp.Frame f = c.readFrame(WAIT)
                    .orElseThrow(() -> new AssertionError("closed before CONNECT was answered"));
            if (f.text().startsWith("40{")) {
                return c;
            }
            assertThat(f.text()).as("CONNECT answer").doesNotStartWith("44");
        }
    }

    // ---- Socket.IO packets -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("transports")
    void connectAnswersWithItsOwnSidWhichIsNotTheEngineIoSid(String transport) throws Exception {
        try (RawEngineIo anonymous = RawEngineIo.open(APP.socketUrl(), transport)) {
            String answer = anonymous.connect(null);
            assertThat(answer).startsWith("40{");
            JSONObject data = new JSONObject(answer.substring(2));
            assertThat(RawEngineIo.keys(data)).contains("sid");
            assertThat(data.getString("sid")).isNotBlank().isNotEqualTo(anonymous.sid());
        }
        String salesmanId = fresh("sid");
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            String answer = c.connect(token(salesmanId));
            assertThat(answer).startsWith("40{");
            String socketSid = new JSONObject(answer.substring(2)).getString("sid");
            JSONObject welcome = c.awaitEvent("authenticated", WAIT);
            assertThat(socketSid).isNotEqualTo(c.sid()).isEqualTo(welcome.getString("sessionId"));
            assertThat(welcome.getString("salesmanId")).isEqualTo(salesmanId);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aBadTokenInConnectIsAConnectErrorAndEndsTheSession(String transport) throws Exception {
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            String answer = c.connect("not-a-jwt");
            assertThat(answer).startsWith("44{");
            JSONObject error = new JSONObject(answer.substring(2));
            assertThat(error.getString("message")).isEqualTo("invalid_token");
            assertThat(error.getJSONObject("data").getString("code")).isEqualTo("invalid_token");
            assertThat(error.getJSONObject("data").get("message")).isInstanceOf(String.class);
            assertEnded(c, "bad token in CONNECT");
        }
        try (RawEngineIo valid = salesman(transport, fresh("tok"))) {
            assertAlive(valid, 1);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void anUnknownNamespaceIsRefusedAndTheSessionStaysOpen(String transport) throws Exception {
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            assertThat(c.send("40/other,")).isTrue();
            String refused = c.awaitPacket(p -> p.startsWith("44/other,"), WAIT);
            JSONObject body = new JSONObject(refused.substring("44/other,".length()));
            assertThat(RawEngineIo.keys(body)).containsExactly("message");
            assertThat(body.getString("message")).isEqualTo("Invalid namespace");

            // still open: "/" connects and works, and a second try at /other is refused the same way
            c.authenticate(token(fresh("ns")));
            assertAlive(c, 1);
            c.send("40/other,");
            assertThat(c.awaitPacket(p -> p.startsWith("44/other,"), WAIT)).isEqualTo(refused);
            assertAlive(c, 2);
            assertThat(c.isClosed()).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void connectsToUnknownNamespacesShareTheJoinLimitAndPastItEndTheSessionAsAbuse(String transport) throws Exception {
        long abuseBefore = APP.meter("socketio.connections.disconnects.reason.abuse");
        try (RawEngineIo c = salesman(transport, fresh("nsflood"))) {
            int refused = 0;
            long start = System.nanoTime();
            // faster than the bucket refills (50/s) also on a loaded machine: polling carries 10 CONNECTs per POST
            int perRequest = "polling".equals(transport) ? 10 : 1;
            for (int i = 0; i < 300 && !c.isClosed(); i += perRequest) {
                StringBuilder body = new StringBuilder();
                for (int k = i; k < i + perRequest; k++) {
                    body.append(k == i ? "" : RawEngineIo.SEPARATOR).append("40/flood").append(k).append(',');
                }
                if (c.sendRaw(body.toString())) {
                    refused += perRequest;
                }
            }
            assertEnded(c, "CONNECTs to unknown namespaces past the rate limit");
            // the first ones (the joins' bucket: burst 200, 50/s) were answered as an unknown namespace is
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(c.received().stream().filter(p -> p.startsWith("44/flood")).count())
                    .isBetween(195L, 202L + (long) (50 * seconds));
            assertThat(refused).isGreaterThan(200);
        }
        await().atMost(5, TimeUnit.SECONDS).until(
                () -> APP.meter("socketio.connections.disconnects.reason.abuse") > abuseBefore);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aSessionThatNeverSendsConnectIsClosedAfterTheAuthTimeout(String transport) throws Exception {
        long timeoutsBefore = APP.meter("socketio.connections.disconnects.reason.auth_timeout");
        long opened = System.nanoTime();
        try (RawEngineIo idle = RawEngineIo.open(APP.socketUrl(), transport)) {
            // still open a moment after the handshake (the test config's authTimeout is 2 s) ...
            Thread.sleep(500);
            assertThat(idle.isClosed()).isFalse();
            // ... then the server closes it by itself, telling nothing to a namespace that never connected
            assertEnded(idle, "a session without CONNECT");
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThan(Duration.ofMillis(1500));
            assertThat(idle.received()).noneMatch(p -> p.startsWith("42") || p.startsWith("41"));
        }
        // counted (other sessions of this class's earlier tests may time out meanwhile too)
        assertThat(APP.meter("socketio.connections.disconnects.reason.auth_timeout")).isGreaterThan(timeoutsBefore);
    }

    static Stream<Arguments> secondConnects() {
        return transports().flatMap(t -> Stream.of("no token", "same token", "another salesman", "another tenant")
                .map(kind -> Arguments.of(t, kind)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("secondConnects")
    void aSecondConnectOnTheDefaultNamespaceEndsTheSession(String transport, String kind) throws Exception {
        String first = fresh("first");
        String other = fresh("other");
        String token = token(first);
        String second = switch (kind) {
            case "no token" -> "40";
            case "same token" -> "40" + new JSONObject().put("token", token);
            case "another salesman" -> "40" + new JSONObject().put("token", token(other));
            case "another tenant" -> "40" + RawEngineIo.object("token", APP.salesmanToken("edge-other-t", other));
            default -> throw new IllegalArgumentException(kind);
        };
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            c.authenticate(token);
            assertAlive(c, 1);
            c.send(second);
            assertEnded(c, "second CONNECT (" + kind + ")");
            List<String> received = c.received();
            assertThat(received.stream().filter(p -> p.startsWith("40"))).as("one CONNECT answer: %s", received)
                    .hasSize(1);
            assertThat(received.stream().filter(RawEngineIo.eventPacket("authenticated")))
                    .as("one authenticated: %s", received).hasSize(1);
        }
        assertThat(status(other)).as("the other salesman was never online").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aDisconnectPacketFromTheClientEndsItsSocketAndTheSessionEndsWithoutAnotherConnect(String transport)
            throws Exception {
        // the session outlives its socket, as the official server's does, until the no-CONNECT bound (authTimeout,
        // 2 s here): EngineIoLifecycleTest shows it pinging meanwhile and connecting again
        try (RawEngineIo c = salesman(transport, fresh("leave"))) {
            assertAlive(c, 1);
            assertThat(c.send("41")).isTrue();
            assertEnded(c, "41 from the client, then no CONNECT");
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void closePacketEndsTheSessionAtOnce(String transport) throws Exception {
        String salesmanId = fresh("close");
        try (RawEngineIo c = salesman(transport, salesmanId)) {
            assertAlive(c, 1);
            await().atMost(5, TimeUnit.SECONDS)
                    .until(() -> status(salesmanId).map(s -> s.optInt("connections")).orElse(0) == 1);
            assertThat(status(salesmanId).orElseThrow().getBoolean("online")).isTrue();

            long sent = System.nanoTime();
            assertThat(c.send("1")).isTrue();
            assertThat(c.awaitClosed(Duration.ofSeconds(3))).as("transport closed at once; received %s", c.received())
                    .isTrue();
            await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                    .until(() -> status(salesmanId).orElseThrow().getInt("connections") == 0);
            // offline after the presence grace (1 s in test config), far sooner than the 45 s ping timeout
            await().atMost(6, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100))
                    .until(() -> !status(salesmanId).orElseThrow().getBoolean("online"));
            long elapsedMs = (System.nanoTime() - sent) / 1_000_000;
            assertThat(elapsedMs).as("offline %d ms after the close packet", elapsedMs).isLessThan(8_000);
            assertSidUnknown(c.sid());
        }
    }

    /** Malformed input, each of which must end the session. */
    static Stream<Arguments> malformed() {
        String deep = "42[\"join:tenant\"," + "[".repeat(5000) + "]".repeat(5000) + "]";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("unknown Engine.IO type 9", "9");
        cases.put("unknown Engine.IO type x", "x");
        cases.put("Engine.IO ping from the client", "2");
        cases.put("Socket.IO type 4abc", "4abc");
        cases.put("Socket.IO type 7", "47");
        cases.put("CONNECT_ERROR from the client", "44{\"message\":\"nope\"}");
        cases.put("binary event", "451-[\"join:tenant\",{\"_placeholder\":true,\"num\":0}]");
        cases.put("binary ack", "461-1[{\"_placeholder\":true,\"num\":0}]");
        cases.put("payload an object", "42{}");
        cases.put("payload an empty array", "42[]");
        cases.put("payload a string", "42\"join:tenant\"");
        cases.put("truncated JSON", "42[\"join:tenant\",{\"tenantId\":\"" + TENANT);
        cases.put("nesting too deep", deep);
        cases.put("ack id not a number", "42abc[\"join:tenant\",{\"tenantId\":\"" + TENANT + "\"}]");
        cases.put("ack id of 16 digits", "421234567890123456[\"join:tenant\",{\"tenantId\":\"" + TENANT + "\"}]");
        cases.put("event for another namespace", "42/other,[\"join:tenant\",{\"tenantId\":\"" + TENANT + "\"}]");
        return transports().flatMap(t -> cases.entrySet().stream().map(e -> Arguments.of(t, e.getKey(), e.getValue())));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("malformed")
    void aMalformedPacketEndsTheSession(String transport, String what, String packet) throws Exception {
        try (RawEngineIo c = salesman(transport, fresh("bad"))) {
            assertAlive(c, 1); // this very session works
            c.sendRaw(packet);
            assertEnded(c, what);
            assertThat(c.received().stream().filter(p -> p.startsWith("43")))
                    .as("no answer to the malformed packet, only the first ack").hasSize(1);
        }
    }

    static Stream<Arguments> binary() {
        return Stream.of(Arguments.of("websocket", "binary frame"), Arguments.of("polling", "b-prefixed body"),
                Arguments.of("polling", "octet-stream body"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("binary")
    void aBinaryPacketEndsTheSession(String transport, String how) throws Exception {
        byte[] data = {4, 2, 1, 2, 3};
        try (RawEngineIo c = salesman(transport, fresh("bin"))) {
            assertAlive(c, 1);
            if (how.equals("b-prefixed body")) {
                c.sendRaw("b" + Base64.getEncoder().encodeToString(data));
            } else {
                c.sendBinary(data);
            }
            assertEnded(c, how);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void anEventBeforeConnectEndsTheSession(String transport) throws Exception {
        try (RawEngineIo c = RawEngineIo.open(APP.socketUrl(), transport)) {
            c.emit("join:tenant", new JSONObject().put("tenantId", TENANT), 1);
            assertEnded(c, "event before CONNECT");
            assertThat(c.received()).noneMatch(RawEngineIo.ackPacket(1));
        }
        try (RawEngineIo valid = salesman(transport, fresh("order"))) {
            assertAlive(valid, 1); // the same event after CONNECT is handled
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void anAckIdUpTo2147483647IsAnsweredAndALargerOneEndsTheSession(String transport) throws Exception {
        // netty-socketio's packet encoder writes ack ids up to Integer.MAX_VALUE only (docs/edge.md); clients count up from 0
        String join = new JSONArray().put("join:tenant").put(RawEngineIo.object("tenantId", TENANT)).toString();
        try (RawEngineIo c = salesman(transport, fresh("ackid"))) {
            c.sendRaw("42" + "2147483647" + join);
            String ack = c.awaitPacket(p -> p.startsWith("432147483647["), WAIT);
            assertThat(ack).as(ack).contains("\"success\":true");

            c.sendRaw("42" + "2147483648" + join);
            assertEnded(c, "ack id over 2^31-1");
            assertThat(c.received()).noneMatch(p -> p.startsWith("432147483648"));
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void numericAndUnknownEventNamesAreIgnored(String transport) throws Exception {
        try (RawEngineIo c = salesman(transport, fresh("unknown"))) {
            c.send("421[1,{}]");
            c.send("422[\"no-such-event\",{}]");
            c.send("42[\"no-such-event\",{\"a\":1}]");
            assertAlive(c, 3); // handled after them: they were read and skipped
            c.assertNoPacket(RawEngineIo.ackPacket(1).or(RawEngineIo.ackPacket(2)), Duration.ofMillis(500),
                    "ack of an ignored event");
            assertThat(c.received()).noneMatch(RawEngineIo.eventPacket("error"));
            assertThat(c.isClosed()).isFalse();
        }
    }

    @Test
    void severalPacketsInOnePollingPostAreEachHandled() throws Exception {
        try (RawEngineIo c = salesman("polling", fresh("multi"))) {
            String join = new JSONArray().put("join:tenant").put(new JSONObject().put("tenantId", TENANT)).toString();
            String sep = RawEngineIo.SEPARATOR;
            assertThat(c.sendRaw("421" + join + sep + "422" + join + sep + "423" + join)).isTrue();
            for (int id = 1; id <= 3; id++) {
                assertThat(c.awaitAck(id, WAIT).getBoolean("success")).isTrue();
            }
        }
    }
}
