package com.salesmate.realtime.socket;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC 2: {@code join:tenant} / {@code join:salesman} authorised by the token. Membership is proved by what arrives
 * when the service emits to the room (REST emits with the admin key), non-membership by what does not arrive while a
 * legitimate member of the same room receives it.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(90)
class JoinAuthorizationTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    private static final String A = "join-a";
    private static final String B = "join-b";
    private static final Duration QUIET = Duration.ofMillis(700);

    /** Salesman ids are unique across tenants and notifications are durable: each test uses fresh ones. */
    private static String fresh(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JSONObject join(SioClient c, String event, JSONObject payload) throws Exception {
        return c.emitAck(event, payload);
    }

    private static JSONObject tenant(String tenantId) throws Exception {
        return new JSONObject().put("tenantId", tenantId);
    }

    private static JSONObject salesman(String salesmanId, String tenantId) throws Exception {
        JSONObject o = new JSONObject().put("salesmanId", salesmanId);
        return tenantId == null ? o : o.put("tenantId", tenantId);
    }

    private static void assertJoined(JSONObject ack, String room) throws Exception {
        assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
        assertThat(ack.getString("room")).isEqualTo(room);
    }

    private static void assertRefused(JSONObject ack, String code) throws Exception {
        assertThat(ack.getBoolean("success")).as(ack.toString()).isFalse();
        assertThat(ack.getJSONObject("error").getString("code")).as(ack.toString()).isEqualTo(code);
        assertThat(ack.has("room")).isFalse();
    }

    private static void alert(String tenantId, String message) throws Exception {
        Response res = APP.post("/emit/alert", TestApp.ADMIN_KEY,
                new JSONObject().put("tenantId", tenantId).put("message", message).toString());
        assertThat(res.getStatus()).as(res.readEntity(String.class)).isEqualTo(200);
    }

    private static void notifySalesman(String tenantId, String salesmanId, String message) throws Exception {
        Response res = APP.post("/emit/notification", TestApp.ADMIN_KEY, new JSONObject()
                .put("tenantId", tenantId).put("salesmanId", salesmanId).put("message", message).toString());
        assertThat(res.getStatus()).as(res.readEntity(String.class)).isEqualTo(200);
    }

    private static String messageOf(SioClient c, String event) throws Exception {
        return c.awaitObject(event).getString("message");
    }

    // --- salesman --------------------------------------------------------------------------------------------------

    @Test
    void salesmanJoinsItsOwnTenant() throws Exception {
        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(A, fresh("s")))) {
            assertJoined(join(s, "join:tenant", tenant(A)), "tenant:" + A);
            alert(A, "own-tenant");
            assertThat(messageOf(s, "alert")).isEqualTo("own-tenant");
        }
    }

    @Test
    void salesmanCannotJoinAnotherTenant() throws Exception {
        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(A, fresh("s")));
             SioClient memberOfB = SioClient.authenticated(APP.socketUrl(), APP.managerToken(B, "boss-b"))) {
            assertRefused(join(s, "join:tenant", tenant(B)), "forbidden");

            s.emit("join:tenant", tenant(B)); // without an ack callback the refusal comes as `error`
            JSONObject error = s.awaitObject("error");
            assertThat(error.getString("event")).isEqualTo("join:tenant");
            assertThat(error.getString("code")).isEqualTo("forbidden");

            alert(B, "for-b");
            assertThat(messageOf(memberOfB, "alert")).isEqualTo("for-b");
            s.assertNone("alert", QUIET);
        }
    }

    @Test
    void salesmanJoinsItsOwnSalesmanRoom() throws Exception {
        String me = fresh("s");
        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(A, me))) {
            assertJoined(join(s, "join:salesman", salesman(me, null)), Rooms.salesman(A, me));
            assertJoined(join(s, "join:salesman", salesman(me, A)), Rooms.salesman(A, me));
            notifySalesman(A, me, "for-me");
            assertThat(messageOf(s, "notification")).isEqualTo("for-me");
            s.assertNone("notification", QUIET);
        }
    }

    @Test
    void salesmanCannotJoinAnotherSalesmansRoom() throws Exception {
        String me = fresh("s");
        String other = fresh("s");
        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(A, me));
             SioClient victim = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(A, other))) {
            assertRefused(join(s, "join:salesman", salesman(other, null)), "forbidden");
            assertRefused(join(s, "join:salesman", salesman(other, A)), "forbidden");
            notifySalesman(A, other, "private");
            assertThat(messageOf(victim, "notification")).isEqualTo("private");
            s.assertNone("notification", QUIET);
        }
    }

    @Test
    void salesmanCannotNameAnotherTenantInJoinSalesman() throws Exception {
        String me = fresh("s");
        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(A, me))) {
            assertRefused(join(s, "join:salesman", salesman(me, B)), "forbidden");
            assertThat(APP.app().hub().publisher().toRoom(B, Rooms.salesman(B, me), "probe", Map.of("n", 1)).local()).isZero();
            s.assertNone("probe", QUIET);
        }
    }

    // --- manager ---------------------------------------------------------------------------------------------------

    @Test
    void managerJoinsItsOwnTenant() throws Exception {
        try (SioClient m = SioClient.authenticated(APP.socketUrl(), APP.managerToken(A, "boss"))) {
            assertJoined(join(m, "join:tenant", tenant(A)), "tenant:" + A);
            alert(A, "to-a");
            assertThat(messageOf(m, "alert")).isEqualTo("to-a");
        }
    }

    @Test
    void managerCannotJoinAnotherTenant() throws Exception {
        try (SioClient m = SioClient.authenticated(APP.socketUrl(), APP.managerToken(A, "boss"));
             SioClient memberOfB = SioClient.authenticated(APP.socketUrl(), APP.managerToken(B, "boss-b"))) {
            assertRefused(join(m, "join:tenant", tenant(B)), "forbidden");
            alert(B, "only-b");
            assertThat(messageOf(memberOfB, "alert")).isEqualTo("only-b");
            m.assertNone("alert", QUIET);
        }
    }

    @Test
    void managerJoinsASalesmanRoomOfItsTenantAndReceivesWhatIsSentThere() throws Exception {
        String s1 = fresh("s");
        try (SioClient m = SioClient.authenticated(APP.socketUrl(), APP.managerToken(A, "boss"))) {
            assertJoined(join(m, "join:salesman", salesman(s1, null)), Rooms.salesman(A, s1));
            assertJoined(join(m, "join:salesman", salesman(s1, A)), Rooms.salesman(A, s1));
            notifySalesman(A, s1, "watched");
            assertThat(messageOf(m, "notification")).isEqualTo("watched");
        }
    }

    @Test
    void managerCannotJoinASalesmanRoomOfAnotherTenant() throws Exception {
        String sb = fresh("sb");
        try (SioClient m = SioClient.authenticated(APP.socketUrl(), APP.managerToken(A, "boss"));
             SioClient salesmanOfB = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(B, sb))) {
            assertRefused(join(m, "join:salesman", salesman(sb, B)), "forbidden");
            notifySalesman(B, sb, "b-private");
            assertThat(messageOf(salesmanOfB, "notification")).isEqualTo("b-private");
            m.assertNone("notification", QUIET);
        }
    }

    // --- ids outside [A-Za-z0-9._-]{1,64} --------------------------------------------------------------------------

    @Test
    void idsOutsideTheAllowedSyntaxAreInvalidPayloadAndNeverMembership() throws Exception {
        String victim = fresh("victim");
        String sb = "x";
        List<String> badIds = List.of("a:b", B + ":salesman:" + sb, A + ":salesman:" + victim, "y".repeat(65));
        try (SioClient m = SioClient.authenticated(APP.socketUrl(), APP.managerToken(A, "boss"));
             SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(A, fresh("s")))) {
            for (SioClient attacker : List.of(m, s)) {
                for (String bad : badIds) {
                    JSONObject ack = join(attacker, "join:tenant", tenant(bad));
                    assertRefused(ack, "invalid_payload");
                    assertThat(ack.getJSONObject("error").getString("field")).isEqualTo("tenantId");

                    ack = join(attacker, "join:salesman", salesman(bad, null));
                    assertRefused(ack, "invalid_payload");
                    assertThat(ack.getJSONObject("error").getString("field")).isEqualTo("salesmanId");

                    ack = join(attacker, "join:salesman", salesman("x", bad));
                    assertRefused(ack, "invalid_payload");
                    assertThat(ack.getJSONObject("error").getString("field")).isEqualTo("tenantId");
                }
            }
            // What a naive "tenant:" + id / "tenant:" + tenant + ":salesman:" + id would have joined: nobody is there.
            for (String bad : badIds) {
                for (String room : List.of("tenant:" + bad, Rooms.salesman(A, bad), Rooms.salesman(bad, "x"))) {
                    assertThat(APP.app().hub().publisher().toRoom(A, room, "probe", Map.of("room", room)).local())
                            .as("sockets reached in %s", room).isZero();
                }
            }
            // Another tenant's salesman room and a fellow salesman's room reached through the smuggled ':' get nothing.
            try (SioClient salesmanOfB = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(B, sb));
                 SioClient victimSocket = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(A, victim))) {
                notifySalesman(B, sb, "b-only");
                notifySalesman(A, victim, "victim-only");
                assertThat(messageOf(salesmanOfB, "notification")).isEqualTo("b-only");
                assertThat(messageOf(victimSocket, "notification")).isEqualTo("victim-only");
                m.assertNone("notification", QUIET);
                s.assertNone("notification", Duration.ZERO);
                m.assertNone("probe", Duration.ZERO);
                s.assertNone("probe", Duration.ZERO);
            }
        }
    }

    // --- idempotence -----------------------------------------------------------------------------------------------

    @Test
    void joiningTwiceIsIdempotent() throws Exception {
        String s1 = fresh("s");
        try (SioClient m = SioClient.authenticated(APP.socketUrl(), APP.managerToken(A, "boss"))) {
            assertJoined(join(m, "join:tenant", tenant(A)), "tenant:" + A);
            assertJoined(join(m, "join:tenant", tenant(A)), "tenant:" + A);
            assertJoined(join(m, "join:salesman", salesman(s1, null)), Rooms.salesman(A, s1));
            assertJoined(join(m, "join:salesman", salesman(s1, A)), Rooms.salesman(A, s1));

            alert(A, "once");
            assertThat(messageOf(m, "alert")).isEqualTo("once");
            notifySalesman(A, s1, "once-too");
            assertThat(messageOf(m, "notification")).isEqualTo("once-too");
            m.assertNone("alert", QUIET);
            m.assertNone("notification", Duration.ZERO);
        }
    }
}
