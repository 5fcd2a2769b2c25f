package com.salesmate.realtime.socket;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.support.SioClient;
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
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SPEC 3: both ways in (handshake {@code auth} and the {@code authenticate} event, with and without an ack), the
 * failures and what the client sees of them, the authentication timeout, disconnect at token expiry and refresh.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(90)
class AuthenticationTest {
    /** Token times get a leeway (SPEC 3, default 30 s); 2 s here, so expiry tests end within seconds. */
    static final Duration LEEWAY = Duration.ofSeconds(2);
    static final TestApp APP = TestApp.create(ConfigOverride.config("auth.tokenLeeway", LEEWAY.toSeconds() + "s"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    private static final String TENANT = "auth-t";

    private static String badSignatureToken(String tenantId, String salesmanId) {
        return new TokenService("not-the-secret", Optional.empty(), Clock.systemUTC())
                .mint("user-" + salesmanId, tenantId, Role.SALESMAN, salesmanId, Duration.ofHours(1));
    }

    private static String expiredToken(String tenantId, String salesmanId) {
        return APP.token("user-" + salesmanId, tenantId, Role.SALESMAN, salesmanId, Duration.ofSeconds(-30));
    }

    /** The connections the server holds now. */
    private static Set<Connection> connectionsNow() {
        return Set.copyOf(APP.app().hub().registry().all());
    }

    /** The server holds no connection beyond those it held {@code before} (which may have gone meanwhile). */
    private static void assertNoNewConnectionRemains(Set<Connection> before) {
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(before).as("connections the server still holds").containsAll(connectionsNow()));
    }

    private static List<String> rooms(JSONObject authenticated) throws Exception {
        JSONArray a = authenticated.getJSONArray("rooms");
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < a.length(); i++) {
            rooms.add(a.getString(i));
        }
        return rooms;
    }

    private static void assertAuthenticatedSalesman(JSONObject body, SioClient client, String salesmanId) throws Exception {
        assertThat(body.getBoolean("success")).as(body.toString()).isTrue();
        assertThat(body.getString("tenantId")).isEqualTo(TENANT);
        assertThat(body.getString("salesmanId")).isEqualTo(salesmanId);
        assertThat(body.getString("userId")).isEqualTo("user-" + salesmanId);
        assertThat(body.getString("role")).isEqualTo("salesman");
        assertThat(rooms(body)).containsExactlyInAnyOrder("tenant:" + TENANT, "tenant:" + TENANT + ":salesman:" + salesmanId);
        // the opaque sessionId is the Socket.IO socket id the client was given in the CONNECT answer, never the
        // Engine.IO session id (a UUID here: whoever knows it can post into the session)
        assertThat(body.getString("sessionId")).isEqualTo(client.socket().id())
                .doesNotMatch("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    private static void assertError(JSONObject body, String code) throws Exception {
        assertThat(body.getBoolean("success")).as(body.toString()).isFalse();
        assertThat(body.getJSONObject("error").getString("code")).as(body.toString()).isEqualTo(code);
        assertThat(body.getJSONObject("error").getString("message")).isNotBlank();
    }

    // --- handshake auth -------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void handshakeWithAGoodTokenIsAuthenticated(String transport) throws Exception {
        try (SioClient c = SioClient.open(APP.socketUrl(), SioClient.options(APP.salesmanToken(TENANT, "hs-" + transport), transport))) {
            c.awaitConnected();
            JSONObject body = c.awaitObject("authenticated");
            assertAuthenticatedSalesman(body, c, "hs-" + transport);

            // the same opaque id is what REST shows for this connection
            Response res = APP.get("/tenants/" + TENANT + "/connections", TestApp.ADMIN_KEY);
            JSONObject listing = new JSONObject(res.readEntity(String.class));
            List<String> ids = new ArrayList<>();
            JSONArray connections = listing.getJSONArray("connections");
            for (int i = 0; i < connections.length(); i++) {
                ids.add(connections.getJSONObject(i).getString("sessionId"));
            }
            assertThat(ids).contains(body.getString("sessionId"));
        }
    }

    @Test
    void handshakeAsManagerGetsTheManagersRoomAndNoSalesmanId() throws Exception {
        try (SioClient c = SioClient.open(APP.socketUrl(), SioClient.options(APP.managerToken(TENANT, "boss")))) {
            JSONObject body = c.awaitObject("authenticated");
            assertThat(body.getString("role")).isEqualTo("manager");
            assertThat(body.getString("userId")).isEqualTo("boss");
            assertThat(body.isNull("salesmanId")).isTrue();
            assertThat(rooms(body)).containsExactlyInAnyOrder("tenant:" + TENANT, "tenant:" + TENANT + ":managers");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void handshakeWithABadSignatureGetsConnectErrorInvalidTokenAndIsDropped(String transport) throws Exception {
        Set<Connection> before = connectionsNow();
        try (SioClient c = SioClient.open(APP.socketUrl(), SioClient.options(badSignatureToken(TENANT, "bad"), transport))) {
            JSONObject error = (JSONObject) c.awaitConnectError();
            assertThat(error.getString("message")).isEqualTo("invalid_token");
            assertThat(error.getJSONObject("data").getString("code")).isEqualTo("invalid_token");
            assertThat(c.isConnected()).isFalse();
            c.assertNone("authenticated", Duration.ofMillis(300));
        }
        assertNoNewConnectionRemains(before);
    }

    @Test
    void handshakeWithAnExpiredTokenGetsConnectErrorExpiredToken() throws Exception {
        try (SioClient c = SioClient.open(APP.socketUrl(), SioClient.options(expiredToken(TENANT, "old")))) {
            JSONObject error = (JSONObject) c.awaitConnectError();
            assertThat(error.getString("message")).isEqualTo("expired_token");
            assertThat(error.getJSONObject("data").getString("code")).isEqualTo("expired_token");
            assertThat(c.isConnected()).isFalse();
        }
    }

    @Test
    void aRefusedHandshakeTokenIsFollowedByTheServerDisconnectingTheSocket() throws Exception {
        // Raw polling: unlike the Java client, it does not close by itself after connect_error, so this shows that the
        // server itself disconnects the socket.
        SocketSecurityTest.RawPolling raw = new SocketSecurityTest.RawPolling(APP.socketUrl());
        String sid = SocketSecurityTest.RawPolling.sid(raw.handshake(Map.of()));
        raw.post(sid, "40" + new JSONObject().put("token", badSignatureToken(TENANT, "raw")));
        List<String> packets = raw.readUntil(sid, "1"::equals, Duration.ofSeconds(5));
        int refusal = 0;
        while (refusal < packets.size() && !packets.get(refusal).startsWith("44")) {
            refusal++;
        }
        assertThat(refusal).as("a CONNECT_ERROR (44) before the Engine.IO close (1): %s", packets)
                .isLessThan(packets.indexOf("1"));
        // the session is gone: its next request is refused
        java.net.http.HttpResponse<String> after = raw.poll(sid, Duration.ofSeconds(5));
        assertThat(after.statusCode()).isEqualTo(400);
        assertThat(new JSONObject(after.body()).getInt("code")).isEqualTo(1);
        JSONObject error = new JSONObject(packets.get(refusal).substring(2));
        assertThat(error.getString("message")).isEqualTo("invalid_token");
        assertThat(error.getJSONObject("data").getString("code")).isEqualTo("invalid_token");
        assertThat(packets).noneMatch(p -> p.contains("\"authenticated\""));
    }

    // --- the authenticate event ------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void authenticateEventWithAckSucceeds(String transport) throws Exception {
        try (SioClient c = SioClient.anonymous(APP.socketUrl(), transport)) {
            JSONObject ack = c.emitAck("authenticate", new JSONObject().put("token", APP.salesmanToken(TENANT, "ev-" + transport))
                    .put("tenantId", TENANT).put("salesmanId", "ev-" + transport).put("userId", "user-ev-" + transport));
            assertAuthenticatedSalesman(ack, c, "ev-" + transport);
            JSONObject event = c.awaitObject("authenticated");
            assertThat(event.getString("sessionId")).isEqualTo(ack.getString("sessionId"));
            assertThat(c.emitAck("join:tenant", new JSONObject().put("tenantId", TENANT)).getBoolean("success")).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void authenticateEventWithoutAckSucceeds(String transport) throws Exception {
        try (SioClient c = SioClient.anonymous(APP.socketUrl(), transport)) {
            c.emit("authenticate", new JSONObject().put("token", APP.salesmanToken(TENANT, "evn-" + transport)));
            assertAuthenticatedSalesman(c.awaitObject("authenticated"), c, "evn-" + transport);
            c.assertNone("auth:error", Duration.ofMillis(300));
            assertThat(c.isConnected()).isTrue();
        }
    }

    /** Payloads refused by authenticate, by the code they must get. */
    private static JSONObject refusedPayload(String which) throws Exception {
        String good = APP.salesmanToken(TENANT, "rf");
        return switch (which) {
            case "bad" -> new JSONObject().put("token", badSignatureToken(TENANT, "rf"));
            case "garbage" -> new JSONObject().put("token", "not-a-jwt");
            case "expired" -> new JSONObject().put("token", expiredToken(TENANT, "rf"));
            case "tenantMismatch" -> new JSONObject().put("token", good).put("tenantId", "another-tenant");
            case "salesmanMismatch" -> new JSONObject().put("token", good).put("salesmanId", "someone-else");
            case "userMismatch" -> new JSONObject().put("token", good).put("userId", "someone-else");
            default -> throw new IllegalArgumentException(which);
        };
    }

    private static String expectedCode(String which) {
        return switch (which) {
            case "bad", "garbage" -> "invalid_token";
            case "expired" -> "expired_token";
            default -> "claims_mismatch";
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad", "garbage", "expired", "tenantMismatch", "salesmanMismatch", "userMismatch"})
    void refusedAuthenticateWithAckGetsTheCodeInTheAckAndIsDisconnected(String which) throws Exception {
        try (SioClient c = SioClient.anonymous(APP.socketUrl())) {
            JSONObject ack = c.emitAck("authenticate", refusedPayload(which));
            assertError(ack, expectedCode(which));
            c.awaitDisconnected(Duration.ofSeconds(5));
            assertThat(c.drain("authenticated")).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad", "garbage", "expired", "tenantMismatch", "salesmanMismatch", "userMismatch"})
    void refusedAuthenticateWithoutAckGetsAuthErrorAndIsDisconnected(String which) throws Exception {
        try (SioClient c = SioClient.anonymous(APP.socketUrl())) {
            c.emit("authenticate", refusedPayload(which));
            assertError(c.awaitObject("auth:error"), expectedCode(which));
            c.awaitDisconnected(Duration.ofSeconds(5));
            assertThat(c.drain("authenticated")).isEmpty();
        }
    }

    @Test
    void authenticateWithoutATokenIsInvalidToken() throws Exception {
        try (SioClient c = SioClient.anonymous(APP.socketUrl())) {
            assertError(c.emitAck("authenticate", new JSONObject().put("tenantId", TENANT)), "invalid_token");
            c.awaitDisconnected(Duration.ofSeconds(5));
        }
    }

    @Test
    void reauthenticatingWithAnotherIdentityIsClaimsMismatch() throws Exception {
        try (SioClient c = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(TENANT, "first"))) {
            JSONObject ack = c.emitAck("authenticate", new JSONObject().put("token", APP.salesmanToken(TENANT, "second")));
            assertError(ack, "claims_mismatch");
            c.awaitDisconnected(Duration.ofSeconds(5));
        }
        try (SioClient c = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(TENANT, "first"))) {
            c.emit("authenticate", new JSONObject().put("token", APP.managerToken(TENANT, "user-first")));
            assertError(c.awaitObject("auth:error"), "claims_mismatch");
            c.awaitDisconnected(Duration.ofSeconds(5));
        }
    }

    @Test
    void reauthenticatingWithTheSameIdentitySucceedsAndKeepsTheSessionId() throws Exception {
        try (SioClient c = SioClient.anonymous(APP.socketUrl())) {
            JSONObject first = c.emitAck("authenticate", new JSONObject().put("token", APP.salesmanToken(TENANT, "again")));
            JSONObject second = c.emitAck("authenticate", new JSONObject().put("token", APP.salesmanToken(TENANT, "again")));
            assertThat(second.getBoolean("success")).as(second.toString()).isTrue();
            assertThat(second.getString("sessionId")).isEqualTo(first.getString("sessionId"));
            assertThat(c.isConnected()).isTrue();
        }
    }

    // --- before authentication -------------------------------------------------------------------------------------

    @Test
    void anEventBeforeAuthenticationIsUnauthenticated() throws Exception {
        try (SioClient c = SioClient.anonymous(APP.socketUrl())) {
            assertError(c.emitAck("join:tenant", new JSONObject().put("tenantId", TENANT)), "unauthenticated");
            assertError(c.emitAck("location:update", new JSONObject().put("latitude", 1).put("longitude", 1)
                    .put("timestamp", System.currentTimeMillis())), "unauthenticated");

            c.emit("typing", new JSONObject().put("to", "managers"));
            JSONObject error = c.awaitObject("error");
            assertThat(error.getString("event")).isEqualTo("typing");
            assertThat(error.getString("code")).isEqualTo("unauthenticated");

            // and it may still authenticate afterwards
            assertThat(c.emitAck("authenticate", new JSONObject().put("token", APP.salesmanToken(TENANT, "late")))
                    .getBoolean("success")).isTrue();
        }
    }

    @Test
    void anIdleUnauthenticatedSocketIsDisconnectedAfterTheAuthTimeout() throws Exception {
        long start = System.nanoTime();
        try (SioClient c = SioClient.anonymous(APP.socketUrl())) {
            c.assertNone("auth:error", Duration.ofMillis(1500));
            assertThat(c.isConnected()).as("still connected before the 2 s timeout").isTrue();
            JSONObject error = c.awaitObject("auth:error");
            assertThat(error.getJSONObject("error").getString("code")).isEqualTo("unauthenticated");
            c.awaitDisconnected(Duration.ofSeconds(5));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(elapsedMs).isBetween(1800L, 6000L);
        }
    }

    @Test
    void anAuthenticatedSocketOutlivesTheAuthTimeout() throws Exception {
        try (SioClient c = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(TENANT, "stays"))) {
            c.assertNone("auth:error", Duration.ofMillis(2800));
            assertThat(c.isConnected()).isTrue();
        }
    }

    // --- expiry and refresh ----------------------------------------------------------------------------------------

    @Test
    void theSocketIsDisconnectedWhenItsTokenExpires() throws Exception {
        // exp has whole seconds: a 3 s ttl lives 2 to 3 s, enough to connect first on a loaded machine
        String token = APP.token("user-exp", TENANT, Role.SALESMAN, "exp", Duration.ofSeconds(3));
        Instant exp = com.auth0.jwt.JWT.decode(token).getExpiresAtAsInstant();
        try (SioClient c = SioClient.authenticated(APP.socketUrl(), token)) {
            JSONObject error = (JSONObject) c.await("auth:error", Duration.ofSeconds(9));
            assertThat(Instant.now()).as("not before the token's exp plus the leeway")
                    .isAfterOrEqualTo(exp.plus(LEEWAY).minusMillis(50));
            assertThat(error.getJSONObject("error").getString("code")).isEqualTo("expired_token");
            c.awaitDisconnected(Duration.ofSeconds(5));
        }
    }

    @Test
    void reauthenticatingWithAFreshTokenKeepsTheSocketBeyondTheFirstExpiry() throws Exception {
        String shortLived = APP.token("user-refresh", TENANT, Role.SALESMAN, "refresh", Duration.ofSeconds(3));
        Instant exp = com.auth0.jwt.JWT.decode(shortLived).getExpiresAtAsInstant();
        try (SioClient c = SioClient.authenticated(APP.socketUrl(), shortLived)) {
            JSONObject ack = c.emitAck("authenticate", new JSONObject().put("token", APP.salesmanToken(TENANT, "refresh")));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            long untilWellAfterExpiry = Duration.between(Instant.now(), exp.plus(LEEWAY)).toMillis() + 1500;
            c.assertNone("auth:error", Duration.ofMillis(untilWellAfterExpiry));
            assertThat(c.isConnected()).isTrue();
            assertThat(c.emitAck("join:tenant", new JSONObject().put("tenantId", TENANT)).getBoolean("success")).isTrue();
        }
    }

    /**
     * Two {@code authenticate} packets of two salesmen in one polling POST body (a raw client, written to break it):
     * the socket takes the first identity and the second is refused {@code claims_mismatch}; never a mix.
     */
    @Test
    void twoIdentitiesInOnePollingPostNeverMix() throws Exception {
        try (com.salesmate.realtime.support.RawEngineIo c =
                     com.salesmate.realtime.support.RawEngineIo.open(APP.socketUrl(), "polling")) {
            assertThat(c.connect(null)).startsWith("40{");
            String first = "421" + new org.json.JSONArray().put("authenticate")
                    .put(new JSONObject().put("token", APP.salesmanToken(TENANT, "mix-1")));
            String second = "422" + new org.json.JSONArray().put("authenticate")
                    .put(new JSONObject().put("token", APP.salesmanToken(TENANT, "mix-2")));
            assertThat(c.sendRaw(first + "\u001e" + second)).isTrue();
            JSONObject one = c.awaitAck(1, Duration.ofSeconds(10));
            JSONObject two = c.awaitAck(2, Duration.ofSeconds(10));
            assertThat(one.getBoolean("success")).as(one.toString()).isTrue();
            assertThat(one.getString("salesmanId")).isEqualTo("mix-1");
            assertThat(two.getBoolean("success")).as(two.toString()).isFalse();
            assertThat(two.getJSONObject("error").getString("code")).isEqualTo("claims_mismatch");
        }
    }
}
