package com.salesmate.realtime.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.hub.Connection;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /stats}, {@code /connections}, {@code /online-salesmen}, {@code /status} and {@code /locations} against
 * the sockets and traffic a test drives with real clients; and a notification sent while its salesman is offline.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class StatsAndPresenceTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> STAT_NAMES = List.of("totalConnections", "activeConnections", "messagesSent",
            "messagesReceived", "tenants", "salesmen", "rooms");

    // ---- helpers

    static JsonNode ok(String path, String credential) {
        Response r = APP.get(path, credential);
        String text = r.readEntity(String.class);
        assertThat(r.getStatus()).as(path + ": " + text).isEqualTo(200);
        try {
            JsonNode body = JSON.readTree(text);
            assertThat(body.path("success").asBoolean()).isTrue();
            return body;
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    static JsonNode stats(String credential) {
        JsonNode stats = ok("/stats", credential).path("stats");
        assertThat(names(stats)).containsExactlyElementsOf(STAT_NAMES);
        return stats;
    }

    static long delta(JsonNode before, JsonNode after, String name) {
        return after.path(name).asLong() - before.path(name).asLong();
    }

    static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static List<String> keys(JSONObject o) {
        List<String> keys = new ArrayList<>();
        for (var it = o.keys(); it.hasNext(); ) {
            keys.add((String) it.next());
        }
        return keys;
    }

    /** Connects with a handshake token and returns the socket with its {@code authenticated} payload. */
    record Authenticated(SioClient client, JSONObject welcome) {
    }

    static Authenticated connect(String token, String... transports) {
        SioClient c = SioClient.open(APP.socketUrl(), SioClient.options(token, transports));
        c.awaitConnected();
        return new Authenticated(c, c.awaitObject("authenticated"));
    }

    static JSONObject location(double lat, double lon, long timestamp) throws Exception {
        return new JSONObject().put("latitude", lat).put("longitude", lon).put("accuracy", 4.5).put("speed", 1.25)
                .put("heading", 90).put("altitude", 12).put("battery", 77).put("timestamp", timestamp);
    }

    static JSONObject sendLocation(SioClient salesman, JSONObject point) throws Exception {
        JSONObject ack = salesman.emitAck("location:update", point);
        assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
        return ack;
    }

    // ---- /stats

    @Test
    void adminStatsMoveExactlyAsTheTrafficDriven() throws Exception {
        await().until(() -> stats(TestApp.ADMIN_KEY).path("activeConnections").asInt() == 0);
        JsonNode before = stats(TestApp.ADMIN_KEY);
        long started = System.currentTimeMillis();
        try (SioClient managerA = SioClient.authenticated(APP.socketUrl(), APP.managerToken("stats-a", "m-a"));
             SioClient x1 = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("stats-a", "stats-x"));
             SioClient x2 = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("stats-a", "stats-x"), "polling");
             SioClient y = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("stats-a", "stats-y"));
             SioClient managerB = SioClient.authenticated(APP.socketUrl(), APP.managerToken("stats-b", "m-b"))) {
            // N = 5 sockets: 5 'authenticated' + 2 'salesman:online' (stats-x, stats-y) to managerA
            managerA.await("salesman:online");
            managerA.await("salesman:online");
            // K = 5 client events: 3 join:tenant (acks only) and 2 location:update (each to managerA)
            for (int i = 0; i < 3; i++) {
                assertThat(y.emitAck("join:tenant", new JSONObject().put("tenantId", "stats-a")).getBoolean("success")).isTrue();
            }
            sendLocation(x1, location(12.9, 77.6, started - 2000));
            sendLocation(x1, location(12.9, 77.7, started - 1000));
            managerA.await("location:updated");
            managerA.await("location:updated");
            // M = 4 sockets of stats-a reached by one alert
            Response r = APP.post("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"stats-a\",\"message\":\"m\"}");
            assertThat(JSON.readTree(r.readEntity(String.class)).path("delivered").asInt()).isEqualTo(4);
            for (SioClient c : List.of(managerA, x1, x2, y)) {
                c.await("alert");
            }

            JsonNode after = stats(TestApp.ADMIN_KEY);
            assertThat(delta(before, after, "totalConnections")).isEqualTo(5);
            assertThat(after.path("activeConnections").asLong()).isEqualTo(5);
            assertThat(delta(before, after, "messagesReceived")).isEqualTo(5);
            assertThat(delta(before, after, "messagesSent")).isEqualTo(5 + 2 + 2 + 4);
            assertThat(after.path("tenants").asLong()).isEqualTo(2);
            assertThat(after.path("salesmen").asLong()).isEqualTo(2);
            // tenant:stats-a, its managers, salesman rooms of x and y; tenant:stats-b and its managers
            assertThat(after.path("rooms").asLong()).isEqualTo(6);

            // the admin port's metrics are the same figures
            JsonNode metrics = JSON.readTree(EXT.client().target(APP.adminUrl("/metrics")).request().get(String.class));
            assertThat(metrics.path("meters").path("socketio.messages.sent").path("count").asLong())
                    .isEqualTo(after.path("messagesSent").asLong());
            assertThat(metrics.path("meters").path("socketio.messages.received").path("count").asLong())
                    .isEqualTo(after.path("messagesReceived").asLong());
            assertThat(metrics.path("gauges").path("socketio.connections.active").path("value").asLong()).isEqualTo(5);
        }
        await().until(() -> stats(TestApp.ADMIN_KEY).path("activeConnections").asInt() == 0);
        JsonNode closed = stats(TestApp.ADMIN_KEY);
        assertThat(closed.path("tenants").asLong()).isZero();
        assertThat(closed.path("salesmen").asLong()).isZero();
        assertThat(closed.path("rooms").asLong()).isZero();
    }

    @Test
    void tenantCredentialSeesOnlyItsOwnTenantsFigures() throws Exception {
        await().until(() -> stats(TestApp.TENANT_A_KEY).path("activeConnections").asInt() == 0
                && stats(TestApp.TENANT_B_KEY).path("activeConnections").asInt() == 0);
        JsonNode beforeA = stats(TestApp.TENANT_A_KEY);
        JsonNode beforeB = stats(TestApp.TENANT_B_KEY);
        try (SioClient managerA = SioClient.authenticated(APP.socketUrl(), APP.managerToken("tenant-a", "m-a"));
             SioClient salesmanA = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-a", "ts-a1"));
             SioClient salesmanB = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-b", "ts-b1"))) {
            managerA.await("salesman:online");
            for (int i = 0; i < 2; i++) {
                assertThat(salesmanA.emitAck("join:tenant", new JSONObject().put("tenantId", "tenant-a"))
                        .getBoolean("success")).isTrue();
            }
            Response r = APP.post("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"tenant-b\",\"message\":\"only b\"}");
            assertThat(JSON.readTree(r.readEntity(String.class)).path("delivered").asInt()).isEqualTo(1);
            salesmanB.await("alert");

            JsonNode a = stats(TestApp.TENANT_A_KEY);
            assertThat(delta(beforeA, a, "totalConnections")).isEqualTo(2);
            assertThat(a.path("activeConnections").asLong()).isEqualTo(2);
            assertThat(delta(beforeA, a, "messagesSent")).isEqualTo(2 + 1); // 2 authenticated, 1 salesman:online
            assertThat(delta(beforeA, a, "messagesReceived")).isEqualTo(2);
            assertThat(a.path("tenants").asLong()).isEqualTo(1);
            assertThat(a.path("salesmen").asLong()).isEqualTo(1);
            assertThat(a.path("rooms").asLong()).isEqualTo(3);

            JsonNode b = stats(TestApp.TENANT_B_KEY);
            assertThat(delta(beforeB, b, "totalConnections")).isEqualTo(1);
            assertThat(b.path("activeConnections").asLong()).isEqualTo(1);
            assertThat(delta(beforeB, b, "messagesSent")).isEqualTo(1 + 1); // authenticated, alert
            assertThat(delta(beforeB, b, "messagesReceived")).isZero();
            assertThat(b.path("tenants").asLong()).isEqualTo(1);
            assertThat(b.path("salesmen").asLong()).isEqualTo(1);
            assertThat(b.path("rooms").asLong()).isEqualTo(2);

            // a manager's JWT is a tenant credential too
            assertThat(stats(APP.managerToken("tenant-a", "m-a"))).isEqualTo(a);
            // and the admin sees both tenants
            assertThat(stats(TestApp.ADMIN_KEY).path("tenants").asLong()).isEqualTo(2);
        }
    }

    // ---- /tenants/{tenantId}/connections

    @Test
    void connectionsListTheTenantsSocketsWithOpaqueSessionIds() throws Exception {
        long before = System.currentTimeMillis();
        Authenticated manager = connect(APP.managerToken("presence-c", "mgr-c"));
        Authenticated salesman = connect(APP.salesmanToken("presence-c", "sm-c"), "polling");
        long after = System.currentTimeMillis();
        try (SioClient m = manager.client(); SioClient s = salesman.client();
             SioClient elsewhere = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("presence-other", "sm-o"))) {
            JsonNode body = ok("/tenants/presence-c/connections", TestApp.ADMIN_KEY);
            assertThat(names(body)).containsExactly("success", "tenantId", "count", "connections");
            assertThat(body.path("tenantId").asText()).isEqualTo("presence-c");
            assertThat(body.path("count").asInt()).isEqualTo(2);
            assertThat(body.path("connections").size()).isEqualTo(2);

            Set<String> socketIoIds = Set.of(m.socket().id(), s.socket().id());
            for (JsonNode c : body.path("connections")) {
                assertThat(names(c)).containsExactly("sessionId", "userId", "salesmanId", "role", "transport", "connectedAt");
                assertThat(c.path("connectedAt").asLong()).isBetween(before, after);
                // the Socket.IO socket id the client sees (its CONNECT answer), never the Engine.IO session id (a UUID)
                assertThat(socketIoIds).contains(c.path("sessionId").asText());
                assertThat(c.path("sessionId").asText()).doesNotMatch("[0-9a-f]{8}-[0-9a-f]{4}-.*");
            }
            JsonNode first = body.path("connections").get(0); // oldest first
            assertThat(first.path("sessionId").asText()).isEqualTo(manager.welcome().getString("sessionId"));
            assertThat(first.path("userId").asText()).isEqualTo("mgr-c");
            assertThat(first.path("salesmanId").isNull()).isTrue();
            assertThat(first.path("role").asText()).isEqualTo("manager");
            assertThat(first.path("transport").asText()).isEqualTo("websocket");
            JsonNode second = body.path("connections").get(1);
            assertThat(second.path("sessionId").asText()).isEqualTo(salesman.welcome().getString("sessionId"));
            assertThat(second.path("userId").asText()).isEqualTo("user-sm-c");
            assertThat(second.path("salesmanId").asText()).isEqualTo("sm-c");
            assertThat(second.path("role").asText()).isEqualTo("salesman");
            assertThat(second.path("transport").asText()).isEqualTo("polling");
            // the registry knows these by their opaque ids too
            assertThat(APP.app().hub().registry().ofTenant("presence-c").stream().map(Connection::id))
                    .containsExactlyInAnyOrder(first.path("sessionId").asText(), second.path("sessionId").asText());
        }
        await().until(() -> ok("/tenants/presence-c/connections", TestApp.ADMIN_KEY).path("count").asInt() == 0);
    }

    // ---- /tenants/{tenantId}/online-salesmen

    @Test
    void onlineSalesmenListEachSalesmanWithConnectionsAndLastLocation() throws Exception {
        String manager = APP.managerToken("presence-d", "mgr-d");
        long before = System.currentTimeMillis();
        try (SioClient d1Phone = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("presence-d", "d1"));
             SioClient d1Tablet = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("presence-d", "d1"));
             SioClient d2 = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("presence-d", "d2"))) {
            long after = System.currentTimeMillis();
            JsonNode body = ok("/tenants/presence-d/online-salesmen", manager);
            assertThat(names(body)).containsExactly("success", "tenantId", "count", "salesmen");
            assertThat(body.path("count").asInt()).isEqualTo(2);
            JsonNode d1 = body.path("salesmen").get(0);
            assertThat(names(d1)).containsExactly("salesmanId", "connections", "onlineSince", "lastLocation");
            assertThat(d1.path("salesmanId").asText()).isEqualTo("d1");
            assertThat(d1.path("connections").asInt()).isEqualTo(2);
            assertThat(d1.path("onlineSince").asLong()).isBetween(before, after);
            assertThat(d1.path("lastLocation").isNull()).isTrue();
            assertThat(body.path("salesmen").get(1).path("salesmanId").asText()).isEqualTo("d2");
            assertThat(body.path("salesmen").get(1).path("connections").asInt()).isEqualTo(1);

            long t = System.currentTimeMillis() - 5000;
            JSONObject ack = sendLocation(d1Tablet, location(12.97, 77.59, t));
            JsonNode last = ok("/tenants/presence-d/online-salesmen", manager).path("salesmen").get(0).path("lastLocation");
            assertThat(names(last)).containsExactly("id", "latitude", "longitude", "accuracy", "speed", "heading",
                    "altitude", "battery", "timestamp", "receivedAt");
            assertThat(last.path("id").asText()).isEqualTo(ack.getString("id"));
            assertThat(last.path("latitude").asDouble()).isEqualTo(12.97);
            assertThat(last.path("longitude").asDouble()).isEqualTo(77.59);
            assertThat(last.path("accuracy").asDouble()).isEqualTo(4.5);
            assertThat(last.path("timestamp").asLong()).isEqualTo(t);
            assertThat(last.path("receivedAt").asLong()).isEqualTo(ack.getLong("receivedAt"));
        }
        // after the grace nobody is online
        await().until(() -> ok("/tenants/presence-d/online-salesmen", manager).path("count").asInt() == 0);
    }

    // ---- /salesmen/{salesmanId}/status

    @Test
    void statusIsOnlineWhileConnectedAndOfflineWithLastSeenAfterTheGrace() throws Exception {
        String manager = APP.managerToken("presence-e", "mgr-e");
        try (SioClient managerSocket = SioClient.authenticated(APP.socketUrl(), manager)) {
            long connecting = System.currentTimeMillis();
            SioClient phone = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("presence-e", "e1"));
            SioClient tablet = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("presence-e", "e1"), "polling");
            managerSocket.await("salesman:online");
            await().until(() -> APP.get("/salesmen/e1/status", manager).getStatus() == 200);
            JsonNode online = ok("/salesmen/e1/status", manager);
            assertThat(names(online)).containsExactly("success", "salesmanId", "tenantId", "online", "connections",
                    "onlineSince", "lastSeen");
            assertThat(online.path("salesmanId").asText()).isEqualTo("e1");
            assertThat(online.path("tenantId").asText()).isEqualTo("presence-e");
            assertThat(online.path("online").asBoolean()).isTrue();
            assertThat(online.path("connections").asInt()).isEqualTo(2);
            assertThat(online.path("onlineSince").asLong()).isBetween(connecting, System.currentTimeMillis());
            // the admin key finds him without naming the tenant
            assertThat(ok("/salesmen/e1/status", TestApp.ADMIN_KEY).path("tenantId").asText()).isEqualTo("presence-e");

            phone.close();
            await().until(() -> ok("/salesmen/e1/status", manager).path("connections").asInt() == 1);
            assertThat(ok("/salesmen/e1/status", manager).path("online").asBoolean()).isTrue();

            long leaving = System.currentTimeMillis();
            tablet.close();
            // within the grace he still counts as online, with no socket
            JsonNode inGrace = await().pollInterval(Duration.ofMillis(20))
                    .until(() -> ok("/salesmen/e1/status", manager), s -> s.path("connections").asInt() == 0);
            assertThat(inGrace.path("online").asBoolean()).as(inGrace.toString()).isTrue();

            JsonNode offline = await().until(() -> ok("/salesmen/e1/status", manager), s -> !s.path("online").asBoolean());
            long seenOffline = System.currentTimeMillis();
            assertThat(seenOffline - leaving).as("offline only after the 1 s grace").isGreaterThanOrEqualTo(1000);
            assertThat(offline.path("connections").asInt()).isZero();
            assertThat(offline.path("onlineSince").isNull()).isTrue();
            assertThat(offline.path("lastSeen").asLong()).isBetween(leaving, seenOffline - 1000);
            JSONObject told = managerSocket.awaitObject("salesman:offline");
            assertThat(told.getLong("at")).isEqualTo(offline.path("lastSeen").asLong());
        }
    }

    @Test
    void salesmanNeverSeenIsNotFound() throws Exception {
        for (String path : List.of("/salesmen/nobody-ever/status", "/salesmen/nobody-ever/locations")) {
            Response r = APP.get(path, TestApp.ADMIN_KEY);
            JsonNode body = JSON.readTree(r.readEntity(String.class));
            assertThat(r.getStatus()).isEqualTo(404);
            assertThat(body.path("success").asBoolean(true)).isFalse();
            assertThat(body.path("error").path("code").asText()).isEqualTo("not_found");
        }
    }

    // ---- /salesmen/{salesmanId}/locations

    @Test
    void locationsAreTheStoredTrailOldestFirstWithinFromToAndLimit() throws Exception {
        String manager = APP.managerToken("presence-g", "mgr-g");
        long now = System.currentTimeMillis();
        long base = now - 10 * 60_000;
        long old = now - 25 * 60 * 60_000L; // outside the default 24 h window
        List<String> ids = new ArrayList<>();
        try (SioClient g1 = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("presence-g", "g1"))) {
            for (int i : new int[]{3, 0, 4, 1, 2}) { // sent out of order: the trail is ordered by timestamp
                sendLocation(g1, location(10 + i, 70 + i, base + i * 1000L));
            }
            sendLocation(g1, location(1, 1, old));
        }
        JsonNode all = ok("/salesmen/g1/locations", manager);
        assertThat(names(all)).containsExactly("success", "salesmanId", "tenantId", "count", "locations");
        assertThat(all.path("tenantId").asText()).isEqualTo("presence-g");
        assertThat(all.path("count").asInt()).isEqualTo(5);
        assertThat(timestamps(all)).containsExactly(base, base + 1000, base + 2000, base + 3000, base + 4000);
        JsonNode p = all.path("locations").get(2);
        assertThat(p.path("latitude").asDouble()).isEqualTo(12);
        assertThat(p.path("longitude").asDouble()).isEqualTo(72);
        assertThat(p.path("speed").asDouble()).isEqualTo(1.25);
        assertThat(p.path("heading").asDouble()).isEqualTo(90);
        assertThat(p.path("altitude").asDouble()).isEqualTo(12);
        assertThat(p.path("battery").asDouble()).isEqualTo(77);

        assertThat(timestamps(ok("/salesmen/g1/locations?from=" + (base + 1000) + "&to=" + (base + 3000), manager)))
                .containsExactly(base + 1000, base + 2000, base + 3000);
        assertThat(timestamps(ok("/salesmen/g1/locations?limit=2", manager))).containsExactly(base, base + 1000);
        assertThat(timestamps(ok("/salesmen/g1/locations?from=" + (base + 1001) + "&limit=2", manager)))
                .containsExactly(base + 2000, base + 3000);
        assertThat(timestamps(ok("/salesmen/g1/locations?from=0&limit=3", manager)))
                .containsExactly(old, base, base + 1000);
        assertThat(ok("/salesmen/g1/locations?from=" + (now + 60_000) + "&to=" + (now + 120_000), manager)
                .path("count").asInt()).isZero();
    }

    private static List<Long> timestamps(JsonNode answer) {
        List<Long> ts = new ArrayList<>();
        answer.path("locations").forEach(l -> ts.add(l.path("timestamp").asLong()));
        assertThat(answer.path("count").asInt()).isEqualTo(ts.size());
        return ts;
    }

    // ---- durable notifications

    @Test
    void notificationSentWhileOfflineArrivesWhenTheSalesmanConnects() throws Exception {
        Response r = APP.post("/emit/notification", TestApp.TENANT_A_KEY, "{\"salesmanId\":\"late-h1\",\"title\":\"New route\","
                + "\"message\":\"Three stops added\",\"type\":\"route\",\"data\":{\"stops\":3}}");
        JsonNode sent = JSON.readTree(r.readEntity(String.class));
        assertThat(r.getStatus()).as(sent.toString()).isEqualTo(200);
        assertThat(sent.path("delivered").asInt()).isZero();
        String id = sent.path("notificationId").asText();
        assertThat(id).isNotBlank();

        try (SioClient h1 = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-a", "late-h1"))) {
            JSONObject n = h1.awaitObject("notification");
            assertThat(keys(n)).containsExactlyInAnyOrder("id", "title", "message", "type", "data", "createdAt");
            assertThat(n.getString("id")).isEqualTo(id);
            assertThat(n.getString("title")).isEqualTo("New route");
            assertThat(n.getString("message")).isEqualTo("Three stops added");
            assertThat(n.getString("type")).isEqualTo("route");
            assertThat(n.getJSONObject("data").getInt("stops")).isEqualTo(3);
            assertThat(h1.emitAck("notification:ack", new JSONObject().put("id", id)).getBoolean("success")).isTrue();
        }
        try (SioClient again = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-a", "late-h1"))) {
            again.assertNone("notification", Duration.ofMillis(700)); // acknowledged: not sent again
        }
    }
}
