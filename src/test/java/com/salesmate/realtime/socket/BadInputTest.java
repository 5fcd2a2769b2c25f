package com.salesmate.realtime.socket;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.socket.client.Ack;
import jakarta.ws.rs.core.Response;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input over Socket.IO (SPEC 4): non-object payloads, wrong types, huge strings and unknown fields get
 * {@code invalid_payload} (with {@code field} where one is to blame), in the ack or as {@code error}; nothing changes;
 * the socket and the server go on serving.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class BadInputTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    private static final String T = "bad-t";

    private static String fresh(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Emits with exactly the given argument (any JSON value, or none) and an ack callback. */
    private static JSONObject emitRaw(SioClient c, String event, Object... args) throws Exception {
        CompletableFuture<Object> ack = new CompletableFuture<>();
        c.socket().emit(event, args, (Ack) a -> ack.complete(a.length > 0 ? a[0] : null));
        return (JSONObject) ack.get(10, TimeUnit.SECONDS);
    }

    private static void assertInvalid(JSONObject ack, String field) throws Exception {
        assertThat(ack.getBoolean("success")).as(ack.toString()).isFalse();
        JSONObject error = ack.getJSONObject("error");
        assertThat(error.getString("code")).as(ack.toString()).isEqualTo("invalid_payload");
        assertThat(error.getString("message")).isNotBlank();
        if (field == null) {
            assertThat(error.has("field")).as(ack.toString()).isFalse();
        } else {
            assertThat(error.getString("field")).as(ack.toString()).isEqualTo(field);
        }
    }

    private static JSONObject location(double lat, double lon) throws Exception {
        return new JSONObject().put("latitude", lat).put("longitude", lon).put("timestamp", System.currentTimeMillis());
    }

    private static int storedLocations(String salesmanId) throws Exception {
        Response res = APP.get("/salesmen/" + salesmanId + "/locations", TestApp.ADMIN_KEY);
        String body = res.readEntity(String.class);
        assertThat(res.getStatus()).as(body).isEqualTo(200);
        return new JSONObject(body).getInt("count");
    }

    @Test
    void nonObjectPayloadsAreInvalidPayloadForEveryEvent() throws Exception {
        List<Object[]> shapes = List.of(
                new Object[]{"tenant:" + T},
                new Object[]{42},
                new Object[]{12.5},
                new Object[]{true},
                new Object[]{new JSONArray().put(T)},
                new Object[]{JSONObject.NULL},
                new Object[]{});
        String s = fresh("s");
        for (String event : List.of("join:tenant", "join:salesman", "typing", "stop-typing", "location:update",
                "location:batch", "notification:ack")) {
            // a socket per event: location and typing events share a 10/s bucket, and refusals count against it too
            try (SioClient c = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(T, s))) {
                for (Object[] shape : shapes) {
                    JSONObject ack = emitRaw(c, event, shape);
                    assertThat(ack).as("%s with %s", event, List.of(shape)).isNotNull();
                    assertInvalid(ack, null);
                }
                assertThat(c.emitAck("join:tenant", new JSONObject().put("tenantId", T)).getBoolean("success")).isTrue();
            }
        }
        assertThat(storedLocations(s)).isZero();
    }

    @Test
    void wrongTypesNameTheField() throws Exception {
        String s = fresh("s");
        try (SioClient c = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(T, s))) {
            assertInvalid(c.emitAck("location:update", location(12, 77).put("latitude", "12")), "latitude");
            assertInvalid(c.emitAck("location:update", location(12, 77).put("timestamp", "1700000000000")), "timestamp");
            assertInvalid(c.emitAck("location:update", location(12, 77).put("accuracy", true)), "accuracy");
            assertInvalid(c.emitAck("location:update", location(12, 77).put("timestamp", 1.7e12 + 0.5)), "timestamp");
            assertInvalid(c.emitAck("join:tenant", new JSONObject().put("tenantId", 42)), "tenantId");
            assertInvalid(c.emitAck("join:tenant", new JSONObject().put("tenantId", new JSONObject().put("x", 1))), "tenantId");
            assertInvalid(c.emitAck("join:salesman", new JSONObject().put("salesmanId", new JSONArray().put(s))), "salesmanId");
            assertInvalid(c.emitAck("typing", new JSONObject().put("to", 1)), "to");
            assertInvalid(c.emitAck("location:batch", new JSONObject().put("points", "many")), "points");
            assertThat(storedLocations(s)).as("nothing stored").isZero();
        }
    }

    @Test
    void outOfRangeAndMissingValuesAreInvalidPayload() throws Exception {
        String s = fresh("s");
        try (SioClient c = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(T, s))) {
            assertInvalid(c.emitAck("location:update", location(90.5, 0)), "latitude");
            assertInvalid(c.emitAck("location:update", location(0, -180.5)), "longitude");
            assertInvalid(c.emitAck("location:update", new JSONObject().put("longitude", 1).put("timestamp", 1)), "latitude");
            assertInvalid(c.emitAck("join:tenant", new JSONObject()), "tenantId");
            assertInvalid(c.emitAck("typing", new JSONObject().put("to", "everyone")), "to");
            assertThat(storedLocations(s)).isZero();
        }
    }

    @Test
    void hugeStringsAreInvalidPayload() throws Exception {
        String s = fresh("s");
        String huge = "x".repeat(10 * 1024);
        try (SioClient c = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(T, s));
             SioClient m = SioClient.authenticated(APP.socketUrl(), APP.managerToken(T, "boss"))) {
            assertInvalid(c.emitAck("join:tenant", new JSONObject().put("tenantId", huge)), "tenantId");
            assertInvalid(m.emitAck("join:salesman", new JSONObject().put("salesmanId", huge)), "salesmanId");
            assertInvalid(c.emitAck("typing", new JSONObject().put("to", "managers").put("conversationId", huge)), "conversationId");
            assertInvalid(c.emitAck("location:update", location(1, 1).put("salesmanId", huge)), "salesmanId");
            m.assertNone("typing", Duration.ofMillis(300));
            assertThat(APP.app().hub().publisher().toRoom(T, Rooms.salesman(T, huge), "probe", Map.of()).local()).isZero();
            assertThat(storedLocations(s)).isZero();
            assertThat(c.isConnected()).isTrue();
        }
    }

    @Test
    void unknownFieldsAreIgnoredSoANewerAppVersionWorks() throws Exception {
        String s = fresh("s");
        String watched = fresh("w");
        try (SioClient c = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(T, s));
             SioClient m = SioClient.authenticated(APP.socketUrl(), APP.managerToken(T, "boss"))) {
            JSONObject ack = c.emitAck("location:update", location(12, 77).put("altitudeFeet", 3));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            assertThat(m.awaitObject("location:updated").has("altitudeFeet")).isFalse();
            assertThat(storedLocations(s)).isEqualTo(1);
            assertThat(c.emitAck("join:tenant", new JSONObject().put("tenantId", T).put("admin", true))
                    .getBoolean("success")).isTrue();
            // an unknown field beside a valid salesman id: joined as if it were not there
            assertThat(m.emitAck("join:salesman", new JSONObject().put("salesmanId", watched).put("watch", true))
                    .getString("room")).isEqualTo("tenant:" + T + ":salesman:" + watched);
            // but a wrong type is still refused
            assertInvalid(c.emitAck("location:update", location(12, 77).put("accuracy", "5")), "accuracy");
            assertThat(storedLocations(s)).isEqualTo(1);
        }
    }

    @Test
    void withoutAnAckCallbackTheRefusalIsAnErrorEvent() throws Exception {
        String s = fresh("s");
        try (SioClient c = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(T, s))) {
            c.emit("join:tenant", "tenant:" + T);
            JSONObject e1 = c.awaitObject("error");
            assertThat(e1.getString("event")).isEqualTo("join:tenant");
            assertThat(e1.getString("code")).isEqualTo("invalid_payload");
            assertThat(e1.getString("message")).isNotBlank();

            c.emit("location:update", location(12, 77).put("latitude", "12"));
            JSONObject e2 = c.awaitObject("error");
            assertThat(e2.getString("event")).isEqualTo("location:update");
            assertThat(e2.getString("code")).isEqualTo("invalid_payload");
            assertThat(e2.getString("field")).isEqualTo("latitude");

            c.emit("join:tenant", new JSONObject().put("tenantId", 7).put("extra", 1));
            JSONObject e3 = c.awaitObject("error");
            assertThat(e3.getString("field")).isEqualTo("tenantId");

            assertThat(storedLocations(s)).isZero();
        }
    }

    @Test
    void afterAllThatTheSameSocketAndTheServerStillWork() throws Exception {
        String s = fresh("s");
        try (SioClient c = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(T, s));
             SioClient m = SioClient.authenticated(APP.socketUrl(), APP.managerToken(T, "boss"))) {
            List<JSONObject> acks = new ArrayList<>();
            acks.add(emitRaw(c, "location:update", "garbage"));
            acks.add(emitRaw(c, "location:update", new JSONArray().put(1).put(2)));
            acks.add(c.emitAck("location:update", location(12, 77).put("latitude", "12")));
            acks.add(c.emitAck("join:tenant", new JSONObject().put("tenantId", "x".repeat(10_240))));
            acks.add(c.emitAck("join:salesman", new JSONObject().put("salesmanId", 5).put("nope", 1)));
            acks.add(emitRaw(c, "typing", JSONObject.NULL));
            for (JSONObject ack : acks) {
                assertThat(ack.getJSONObject("error").getString("code")).isEqualTo("invalid_payload");
            }
            c.emit("location:update", 7); // and one without a callback
            assertThat(c.awaitObject("error").getString("code")).isEqualTo("invalid_payload");

            assertThat(c.isConnected()).isTrue();
            JSONObject join = c.emitAck("join:tenant", new JSONObject().put("tenantId", T));
            assertThat(join.getBoolean("success")).as(join.toString()).isTrue();
            JSONObject stored = c.emitAck("location:update", location(12.5, 77.5));
            assertThat(stored.getBoolean("success")).as(stored.toString()).isTrue();
            assertThat(m.awaitObject("location:updated").getString("salesmanId")).isEqualTo(s);
            assertThat(storedLocations(s)).isEqualTo(1);

            // the server still serves newcomers, over both transports
            for (String transport : List.of("websocket", "polling")) {
                try (SioClient other = SioClient.anonymous(APP.socketUrl(), transport)) {
                    JSONObject auth = other.emitAck("authenticate",
                            new JSONObject().put("token", APP.salesmanToken(T, fresh("n"))));
                    assertThat(auth.getBoolean("success")).as(auth.toString()).isTrue();
                    assertThat(other.emitAck("join:tenant", new JSONObject().put("tenantId", T)).getBoolean("success")).isTrue();
                }
            }
        }
    }

    @Test
    void aMalformedPacketClosesThatSessionOnlyAndNothingOfItIsHandled() throws Exception {
        SocketSecurityTest.RawPolling raw = new SocketSecurityTest.RawPolling(APP.socketUrl());
        String sid = SocketSecurityTest.RawPolling.sid(raw.handshake(Map.of()));
        raw.post(sid, "40" + new JSONObject().put("token", APP.salesmanToken(T, fresh("raw"))));
        raw.readUntil(sid, p -> p.startsWith("42[\"authenticated\""), Duration.ofSeconds(5));
        // a valid event is answered on this session
        raw.post(sid, "421[\"join:tenant\"," + new JSONObject().put("tenantId", T) + "]");
        raw.readUntil(sid, p -> p.startsWith("431["), Duration.ofSeconds(5));

        // broken JSON in an event packet: the session is closed as the official server does for a parse error
        try {
            raw.post(sid, "422[\"join:tenant\",{\"tenantId\":");
        } catch (AssertionError | java.io.IOException refusedPost) {
            // the POST itself may be refused; what matters is what follows
        }
        List<String> last = raw.readUntil(sid, p -> p.equals("1"), Duration.ofSeconds(5));
        assertThat(last).contains("41").noneMatch(p -> p.startsWith("432["));
        java.net.http.HttpResponse<String> after = raw.poll(sid, Duration.ofSeconds(5));
        assertThat(after.statusCode()).isEqualTo(400);
        assertThat(new JSONObject(after.body()).getInt("code")).isEqualTo(1);

        try (SioClient other = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(T, fresh("after")))) {
            assertThat(other.emitAck("join:tenant", new JSONObject().put("tenantId", T)).getBoolean("success")).isTrue();
        }
    }
}
