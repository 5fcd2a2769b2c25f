package com.salesmate.realtime.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each emit of the REST API reaches exactly the sockets it addresses, with the payload of SPEC 4, and {@code delivered}
 * counts them. Tenant A: two managers, salesman s1 on two devices, salesman s2; tenant B: a manager and a salesman.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class EmitDeliveryTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration QUIET = Duration.ofMillis(500);
    /** Every event name an emit in this class may produce: checked on the sockets that must not get one. */
    static final List<String> EMITTED = List.of("alert", "dashboard:refresh", "visit:created", "visit:updated",
            "order:created", "target:progress", "notification", "maintenance", "ping-all");

    static final String A = "tenant-a";
    static final String B = "tenant-b";
    static SioClient managerA1;
    static SioClient managerA2;
    static SioClient s1Phone;
    static SioClient s1Tablet;
    static SioClient s2;
    static SioClient managerB;
    static SioClient salesmanB;
    static List<SioClient> all;

    @BeforeAll
    static void connect() {
        managerA1 = SioClient.authenticated(APP.socketUrl(), APP.managerToken(A, "manager-a1"));
        managerA2 = SioClient.authenticated(APP.socketUrl(), APP.managerToken(A, "manager-a2"), "polling");
        s1Phone = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(A, "emit-s1"));
        s1Tablet = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(A, "emit-s1"), "polling");
        s2 = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(A, "emit-s2"));
        managerB = SioClient.authenticated(APP.socketUrl(), APP.managerToken(B, "manager-b"));
        salesmanB = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(B, "emit-sb"));
        all = List.of(managerA1, managerA2, s1Phone, s1Tablet, s2, managerB, salesmanB);
        // presence told the managers who came online; take those out of the way
        for (SioClient manager : List.of(managerA1, managerA2)) {
            manager.await("salesman:online");
            manager.await("salesman:online");
        }
        managerB.await("salesman:online");
    }

    @AfterAll
    static void close() {
        all.forEach(SioClient::close);
    }

    @AfterEach
    void nothingElseArrivedAnywhere() {
        assertNoneOf(all);
    }

    /** No emitted event on any of these sockets within a short window (waited once, then checked on each). */
    static void assertNoneOf(List<SioClient> sockets) {
        boolean first = true;
        for (SioClient socket : sockets) {
            for (String event : EMITTED) {
                socket.assertNone(event, first ? QUIET : Duration.ZERO);
                first = false;
            }
        }
    }

    static List<SioClient> except(List<SioClient> receivers) {
        List<SioClient> rest = new ArrayList<>(all);
        rest.removeAll(receivers);
        return rest;
    }

    static JsonNode post(String path, String credential, String body) throws Exception {
        Response r = APP.post(path, credential, body);
        String text = r.readEntity(String.class);
        assertThat(r.getStatus()).as(text).isEqualTo(200);
        JsonNode json = JSON.readTree(text);
        assertThat(json.path("success").asBoolean()).isTrue();
        return json;
    }

    /** Each receiver gets exactly one {@code event}; the others none. Returns what the receivers got. */
    static List<JSONObject> expectOnly(List<SioClient> receivers, String event) {
        List<JSONObject> got = new ArrayList<>();
        for (SioClient r : receivers) {
            got.add(r.awaitObject(event));
        }
        assertNoneOf(except(receivers));
        for (SioClient r : receivers) {
            r.assertNone(event, Duration.ZERO); // exactly one each
        }
        return got;
    }

    static void assertEmittedAt(JSONObject payload, long before, long after) throws Exception {
        assertThat(payload.getLong("emittedAt")).isBetween(before, after);
    }

    @Test
    void alertReachesEveryTenantSocketAndNoOtherTenant() throws Exception {
        long before = System.currentTimeMillis();
        JsonNode answer = post("/emit/alert", TestApp.TENANT_A_KEY,
                "{\"message\":\"Stock count at 5\",\"data\":{\"store\":\"north\",\"n\":[1,2]}}");
        long after = System.currentTimeMillis();
        List<SioClient> tenantA = List.of(managerA1, managerA2, s1Phone, s1Tablet, s2);
        assertThat(answer.path("delivered").asInt()).isEqualTo(tenantA.size());
        for (JSONObject alert : expectOnly(tenantA, "alert")) {
            assertThat(keys(alert)).containsExactlyInAnyOrder("tenantId", "message", "severity", "data", "emittedAt");
            assertThat(alert.getString("tenantId")).isEqualTo(A);
            assertThat(alert.getString("message")).isEqualTo("Stock count at 5");
            assertThat(alert.getString("severity")).isEqualTo("info");
            assertThat(alert.getJSONObject("data").getString("store")).isEqualTo("north");
            assertThat(alert.getJSONObject("data").getJSONArray("n").toString()).isEqualTo("[1,2]");
            assertEmittedAt(alert, before, after);
        }
    }

    @Test
    void alertKeepsTheGivenSeverityForTheAdminNamedTenant() throws Exception {
        JsonNode answer = post("/emit/alert", TestApp.ADMIN_KEY,
                "{\"tenantId\":\"tenant-b\",\"message\":\"Storm\",\"severity\":\"critical\"}");
        assertThat(answer.path("delivered").asInt()).isEqualTo(2);
        for (JSONObject alert : expectOnly(List.of(managerB, salesmanB), "alert")) {
            assertThat(alert.getString("tenantId")).isEqualTo(B);
            assertThat(alert.getString("severity")).isEqualTo("critical");
            assertThat(alert.opt("data") == null || alert.isNull("data")).isTrue();
        }
    }

    @Test
    void dashboardRefreshReachesEveryTenantSocket() throws Exception {
        long before = System.currentTimeMillis();
        JsonNode answer = post("/emit/dashboard-refresh", APP.managerToken(A, "manager-a1"), "{\"scope\":\"orders\"}");
        long after = System.currentTimeMillis();
        List<SioClient> tenantA = List.of(managerA1, managerA2, s1Phone, s1Tablet, s2);
        assertThat(answer.path("delivered").asInt()).isEqualTo(5);
        for (JSONObject refresh : expectOnly(tenantA, "dashboard:refresh")) {
            assertThat(keys(refresh)).containsExactlyInAnyOrder("tenantId", "scope", "emittedAt");
            assertThat(refresh.getString("tenantId")).isEqualTo(A);
            assertThat(refresh.getString("scope")).isEqualTo("orders");
            assertEmittedAt(refresh, before, after);
        }
    }

    @Test
    void domainEventGoesToTheTenantByDefault() throws Exception {
        long before = System.currentTimeMillis();
        JsonNode answer = post("/emit/event", TestApp.TENANT_A_KEY,
                "{\"event\":\"order:created\",\"data\":{\"orderId\":\"o-1\",\"total\":12.5}}");
        long after = System.currentTimeMillis();
        List<SioClient> tenantA = List.of(managerA1, managerA2, s1Phone, s1Tablet, s2);
        assertThat(answer.path("delivered").asInt()).isEqualTo(5);
        for (JSONObject event : expectOnly(tenantA, "order:created")) {
            assertThat(keys(event)).containsExactlyInAnyOrder("tenantId", "data", "emittedAt");
            assertThat(event.getString("tenantId")).isEqualTo(A);
            assertThat(event.getJSONObject("data").getString("orderId")).isEqualTo("o-1");
            assertThat(event.getJSONObject("data").getDouble("total")).isEqualTo(12.5);
            assertEmittedAt(event, before, after);
        }
    }

    @Test
    void domainEventToManagersReachesOnlyTheTenantsManagers() throws Exception {
        JsonNode answer = post("/emit/event", TestApp.TENANT_A_KEY,
                "{\"event\":\"visit:updated\",\"data\":{\"visitId\":\"v-9\"},\"to\":\"managers\"}");
        assertThat(answer.path("delivered").asInt()).isEqualTo(2);
        for (JSONObject event : expectOnly(List.of(managerA1, managerA2), "visit:updated")) {
            assertThat(keys(event)).containsExactlyInAnyOrder("tenantId", "data", "emittedAt");
            assertThat(event.getJSONObject("data").getString("visitId")).isEqualTo("v-9");
        }
    }

    @Test
    void domainEventToASalesmanReachesBothHisDevicesOnly() throws Exception {
        JsonNode answer = post("/emit/event", TestApp.ADMIN_KEY, "{\"tenantId\":\"tenant-a\",\"event\":\"target:progress\","
                + "\"data\":{\"percent\":80},\"to\":\"salesman\",\"salesmanId\":\"emit-s1\"}");
        assertThat(answer.path("delivered").asInt()).isEqualTo(2);
        for (JSONObject event : expectOnly(List.of(s1Phone, s1Tablet), "target:progress")) {
            assertThat(keys(event)).containsExactlyInAnyOrder("tenantId", "salesmanId", "data", "emittedAt");
            assertThat(event.getString("tenantId")).isEqualTo(A);
            assertThat(event.getString("salesmanId")).isEqualTo("emit-s1");
            assertThat(event.getJSONObject("data").getInt("percent")).isEqualTo(80);
        }
    }

    @Test
    void domainEventToAnotherTenantsSalesmanReachesNobody() {
        // tenant A's key naming tenant B's salesman: the room is computed in A, where he is not
        Response r = APP.post("/emit/event", TestApp.TENANT_A_KEY,
                "{\"event\":\"visit:created\",\"data\":{},\"to\":\"salesman\",\"salesmanId\":\"emit-sb\"}");
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(JSON.valueToTree(r.readEntity(Map.class)).path("delivered").asInt()).isZero();
        Response other = APP.post("/emit/event", TestApp.TENANT_A_KEY,
                "{\"tenantId\":\"tenant-b\",\"event\":\"visit:created\",\"data\":{},\"to\":\"salesman\",\"salesmanId\":\"emit-sb\"}");
        assertThat(other.getStatus()).isEqualTo(403);
    }

    @Test
    void notificationReachesBothDevicesOfTheSalesmanOnly() throws Exception {
        JsonNode answer = post("/emit/notification", TestApp.TENANT_A_KEY, "{\"salesmanId\":\"emit-s1\",\"title\":\"Visit\","
                + "\"message\":\"Call the north store\",\"type\":\"task\",\"data\":{\"storeId\":\"st-1\"}}");
        assertThat(answer.path("delivered").asInt()).isEqualTo(2);
        String id = answer.path("notificationId").asText();
        for (JSONObject n : expectOnly(List.of(s1Phone, s1Tablet), "notification")) {
            assertThat(keys(n)).containsExactlyInAnyOrder("id", "title", "message", "type", "data", "createdAt");
            assertThat(n.getString("id")).isEqualTo(id);
            assertThat(n.getString("message")).isEqualTo("Call the north store");
            assertThat(n.getJSONObject("data").getString("storeId")).isEqualTo("st-1");
        }
        // acknowledged, so that later connections of emit-s1 are not sent it again
        assertThat(s1Phone.emitAck("notification:ack", new JSONObject().put("id", id)).getBoolean("success")).isTrue();
    }

    @Test
    void broadcastReachesEverySocketOfEveryTenantWithDataAsItIs() throws Exception {
        try (SioClient unauthenticated = SioClient.anonymous(APP.socketUrl())) {
            JsonNode answer = post("/broadcast", TestApp.ADMIN_KEY,
                    "{\"event\":\"maintenance\",\"data\":{\"at\":1700000000000,\"minutes\":[5,10],\"note\":null}}");
            assertThat(answer.path("delivered").asInt()).isEqualTo(all.size());
            for (JSONObject data : expectOnly(all, "maintenance")) {
                assertThat(JSON.readTree(data.toString()))
                        .isEqualTo(JSON.readTree("{\"at\":1700000000000,\"minutes\":[5,10],\"note\":null}"));
            }
            unauthenticated.assertNone("maintenance", Duration.ZERO);
        }
    }

    @Test
    void broadcastCarriesNonObjectDataAsItIs() throws Exception {
        JsonNode answer = post("/broadcast", TestApp.ADMIN_KEY, "{\"event\":\"ping-all\",\"data\":[\"a\",2]}");
        assertThat(answer.path("delivered").asInt()).isEqualTo(all.size());
        for (SioClient socket : all) {
            Object data = socket.await("ping-all");
            assertThat(data).isInstanceOf(JSONArray.class);
            assertThat(data.toString()).isEqualTo("[\"a\",2]");
        }
    }

    @Test
    void broadcastRefusesReservedNamesAndEmitsNothing() throws Exception {
        for (String reserved : List.of("connect", "connect_error", "disconnect", "disconnecting", "error", "message",
                "authenticated", "auth:error", "authenticate", "location:updated", "location:update", "salesman:online",
                "salesman:offline", "notification", "alert", "dashboard:refresh", "visit:created", "typing",
                "stop-typing", "join:tenant", "newListener", "ping")) {
            Response r = APP.post("/broadcast", TestApp.ADMIN_KEY, "{\"event\":\"" + reserved + "\",\"data\":{}}");
            JsonNode body = JSON.readTree(r.readEntity(String.class));
            assertThat(r.getStatus()).as(reserved).isEqualTo(400);
            assertThat(body.path("error").path("code").asText()).isEqualTo("invalid_payload");
            assertThat(body.path("error").path("field").asText()).isEqualTo("event");
        }
        for (SioClient socket : all) {
            for (String event : List.of("connect", "disconnect", "error", "authenticated", "location:updated",
                    "salesman:online", "salesman:offline", "message")) {
                socket.assertNone(event, Duration.ZERO);
            }
        }
    }

    private static List<String> keys(JSONObject o) {
        List<String> keys = new ArrayList<>();
        for (var it = o.keys(); it.hasNext(); ) {
            keys.add((String) it.next());
        }
        return keys;
    }
}
