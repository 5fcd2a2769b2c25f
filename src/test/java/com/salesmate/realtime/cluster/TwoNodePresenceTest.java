package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence, listings, {@code /stats}, the disconnect task and revocations for a cluster of two nodes: a salesman
 * with a device on each node is online once and offline once; each node's listings show both nodes' sockets.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(180)
class TwoNodePresenceTest {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    static final TestApp A = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_A = A.extension();
    static final TestApp B = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_B = B.extension();
    /** The test config's presence grace (1 s), plus the heartbeat that ends it, with room to spare. */
    static final Duration PAST_GRACE = Duration.ofSeconds(4);

    static String tenant() {
        return ClusterNodes.tenant();
    }

    static JsonNode get(TestApp node, String path, String credential) {
        return node.getOk(path, credential);
    }

    @Test
    void aSalesmanWithADeviceOnEachNodeIsOnlineOnceAndOfflineOnceForManagersOnBothNodes() throws Exception {
        String t = tenant();
        String s = "s-" + t;
        try (SioClient managerA = SioClient.authenticated(A.socketUrl(), A.managerToken(t, "m1"));
             SioClient managerB = SioClient.authenticated(B.socketUrl(), B.managerToken(t, "m2"))) {
            SioClient phone = SioClient.authenticated(A.socketUrl(), A.salesmanToken(t, s));
            for (SioClient manager : List.of(managerA, managerB)) {
                JSONObject online = manager.awaitObject("salesman:online");
                assertThat(online.getString("salesmanId")).isEqualTo(s);
                assertThat(online.getString("tenantId")).isEqualTo(t);
            }
            SioClient tablet = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, s), "polling");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                for (TestApp node : List.of(A, B)) {
                    JsonNode status = get(node, "/salesmen/" + s + "/status", TestApp.ADMIN_KEY);
                    assertThat(status.path("online").asBoolean()).isTrue();
                    assertThat(status.path("connections").asInt()).as("devices on both nodes").isEqualTo(2);
                }
            });
            managerA.assertNone("salesman:online", Duration.ofSeconds(1)); // the second device is no news
            managerB.assertNone("salesman:online", Duration.ofMillis(100));

            phone.close();
            for (SioClient manager : List.of(managerA, managerB)) { // the tablet on B still holds him online
                manager.assertNone("salesman:offline", PAST_GRACE);
            }
            assertThat(get(A, "/salesmen/" + s + "/status", TestApp.ADMIN_KEY).path("connections").asInt()).isEqualTo(1);

            long left = System.currentTimeMillis();
            tablet.close();
            for (SioClient manager : List.of(managerA, managerB)) {
                JSONObject offline = (JSONObject) manager.await("salesman:offline", PAST_GRACE.plusSeconds(2));
                assertThat(offline.getString("salesmanId")).isEqualTo(s);
                assertThat(offline.getLong("at")).isBetween(left - 1000, left + 1000);
            }
            managerA.assertNone("salesman:offline", Duration.ofSeconds(2));
            managerB.assertNone("salesman:offline", Duration.ofMillis(100));
            for (TestApp node : List.of(A, B)) {
                JsonNode status = get(node, "/salesmen/" + s + "/status", TestApp.ADMIN_KEY);
                assertThat(status.path("online").asBoolean()).isFalse();
                assertThat(status.path("connections").asInt()).isZero();
                assertThat(status.path("lastSeen").asLong()).isBetween(left - 1000, left + 1000);
            }
        }
    }

    @Test
    void listingsAndStatsOnEitherNodeCountTheSocketsOfBoth() throws Exception {
        String t = "tenant-a"; // the tenant of the test config's tenant API key
        try (Joined s1 = join(A.socketUrl(), A.salesmanToken(t, "sa-1"));
             Joined s2 = join(B.socketUrl(), B.salesmanToken(t, "sa-2"), "polling");
             Joined manager = join(B.socketUrl(), B.managerToken(t, "ma"))) {
            Set<String> sessions = Set.of(s1.sessionId(), s2.sessionId(), manager.sessionId());
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                for (TestApp node : List.of(A, B)) {
                    JsonNode connections = get(node, "/tenants/" + t + "/connections", TestApp.TENANT_A_KEY);
                    assertThat(connections.path("count").asInt()).isEqualTo(3);
                    List<String> listed = new ArrayList<>();
                    connections.path("connections").forEach(c -> listed.add(c.path("sessionId").asText()));
                    assertThat(listed).containsExactlyInAnyOrderElementsOf(sessions);
                    JsonNode online = get(node, "/tenants/" + t + "/online-salesmen", TestApp.ADMIN_KEY);
                    assertThat(online.path("count").asInt()).isEqualTo(2);
                    List<String> salesmen = new ArrayList<>();
                    online.path("salesmen").forEach(o -> salesmen.add(o.path("salesmanId").asText()));
                    assertThat(salesmen).containsExactly("sa-1", "sa-2");
                }
            });
            JsonNode byTransport = get(A, "/tenants/" + t + "/connections", TestApp.ADMIN_KEY);
            byTransport.path("connections").forEach(c -> {
                if (c.path("salesmanId").asText().equals("sa-2")) {
                    assertThat(c.path("transport").asText()).isEqualTo("polling");
                }
            });
            // /stats: the admin's figures are both nodes' added up (each node reports its counters with its heartbeat)
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                JsonNode stats = get(A, "/stats", TestApp.ADMIN_KEY).path("stats");
                assertThat(stats.path("activeConnections").asLong()).isGreaterThanOrEqualTo(3)
                        .isEqualTo(A.app().hub().registry().size() + B.app().hub().registry().size());
                assertThat(stats.path("totalConnections").asLong())
                        .isEqualTo(A.meter("socketio.connections.connects") + B.meter("socketio.connections.connects"));
                JsonNode tenantStats = get(B, "/stats", TestApp.TENANT_A_KEY).path("stats");
                assertThat(tenantStats.path("activeConnections").asLong()).isEqualTo(3);
                assertThat(tenantStats.path("salesmen").asLong()).isEqualTo(2);
                // tenant, managers, two salesman rooms
                assertThat(tenantStats.path("rooms").asLong()).isEqualTo(4);
                assertThat(tenantStats.path("tenants").asLong()).isEqualTo(1);
            });
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(get(A, "/tenants/" + t + "/connections", TestApp.ADMIN_KEY).path("count").asInt()).isZero());
    }

    @Test
    void tenantStatsOnOneNodeListATenantConnectedOnlyToTheOther() throws Exception {
        String t = tenant();
        try (SioClient only = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, "s-" + t))) {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                List<String> listed = new ArrayList<>();
                get(A, "/stats/tenants", TestApp.ADMIN_KEY).path("tenants").forEach(e -> listed.add(e.toString()));
                assertThat(listed).contains(
                        "{\"tenantId\":\"" + t + "\",\"activeConnections\":1,\"salesmen\":1}");
            });
        }
    }

    @Test
    void theDisconnectTaskOnOneNodeClosesTheSalesmansSocketOnTheOtherAndTheRevocationHoldsThere() throws Exception {
        String t = tenant();
        String s = "s-" + t;
        String token = B.salesmanToken(t, s);
        try (SioClient onB = SioClient.authenticated(B.socketUrl(), token);
             SioClient colleague = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, "other-" + t))) {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(A.adminUrl("/tasks/disconnect?salesmanId=" + s + "&revokeFor=1h")))
                    .header("Authorization", "Bearer " + TestApp.ADMIN_KEY).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("disconnected 1 sockets of salesman " + s);
            assertThat(onB.awaitDisconnected()).isEqualTo("io server disconnect");
            assertThat(colleague.isConnected()).isTrue();
            // the same still-valid token is refused on the node that did not run the task
            try (SioClient again = SioClient.open(B.socketUrl(), SioClient.options(token))) {
                JSONObject error = (JSONObject) again.awaitConnectError();
                assertThat(error.toString()).contains("revoked");
            }
        }
    }

    /** A connected, authenticated socket and the opaque session id its welcome gave. */
    record Joined(SioClient client, String sessionId) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
        }
    }

    static Joined join(String url, String token, String... transports) throws Exception {
        SioClient c = SioClient.open(url, SioClient.options(token, transports));
        c.awaitConnected();
        return new Joined(c, c.awaitObject("authenticated").getString("sessionId"));
    }
}
