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

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes on one Redis and one PostgreSQL database, driven by the real Socket.IO Java client: every emit reaches
 * each addressed socket on either node exactly once, and {@code delivered} counts the sockets of both nodes.
 * "Exactly once" is shown by the copy that arrives and by no second copy in the time the first took several times
 * over.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(180)
class TwoNodeDeliveryTest {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    static final TestApp A = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_A = A.extension();
    static final TestApp B = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_B = B.extension();
    static final Duration NO_SECOND_COPY = Duration.ofMillis(1500);

    static String tenant() {
        return ClusterNodes.tenant();
    }

    static JsonNode post(TestApp node, String path, String body) {
        return node.postOk(path, TestApp.ADMIN_KEY, body);
    }

    @Test
    void anAlertOnOneNodeReachesTheTenantsSocketsOnBothNodesOnceEach() throws Exception {
        String t = tenant();
        try (SioClient managerA = SioClient.authenticated(A.socketUrl(), A.managerToken(t, "m1"));
             SioClient salesmanB = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, "s-" + t));
             SioClient managerB = SioClient.authenticated(B.socketUrl(), B.managerToken(t, "m2"));
             SioClient otherTenantB = SioClient.authenticated(B.socketUrl(), B.managerToken(tenant(), "m3"))) {
            JsonNode answer = post(A, "/emit/alert",
                    "{\"tenantId\":\"" + t + "\",\"message\":\"storm\",\"severity\":\"warning\"}");
            assertThat(answer.path("delivered").asInt()).as("sockets of the tenant on both nodes").isEqualTo(3);
            for (SioClient c : List.of(managerA, salesmanB, managerB)) {
                JSONObject alert = c.awaitObject("alert");
                assertThat(alert.getString("message")).isEqualTo("storm");
                assertThat(alert.getString("tenantId")).isEqualTo(t);
            }
            for (SioClient c : List.of(managerA, salesmanB, managerB)) {
                c.assertNone("alert", NO_SECOND_COPY);
            }
            otherTenantB.assertNone("alert", Duration.ofMillis(200)); // the others got theirs long ago
        }
    }

    @Test
    void aLocationFromASalesmanOnOneNodeReachesTheManagersOnTheOtherOnce() throws Exception {
        String t = tenant();
        String s = "s-" + t;
        try (SioClient managerA = SioClient.authenticated(A.socketUrl(), A.managerToken(t, "m1"));
             SioClient managerB = SioClient.authenticated(B.socketUrl(), B.managerToken(t, "m2"));
             SioClient salesmanB = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, s))) {
            JSONObject ack = salesmanB.emitAck("location:update", new JSONObject()
                    .put("latitude", 12.5).put("longitude", 77.25).put("timestamp", System.currentTimeMillis()));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            for (SioClient manager : List.of(managerA, managerB)) {
                JSONObject update = manager.awaitObject("location:updated");
                assertThat(update.getString("salesmanId")).isEqualTo(s);
                assertThat(update.getDouble("latitude")).isEqualTo(12.5);
            }
            managerA.assertNone("location:updated", NO_SECOND_COPY);
            managerB.assertNone("location:updated", Duration.ofMillis(100));
            salesmanB.assertNone("location:updated", Duration.ofMillis(100)); // locations go to managers only
        }
    }

    @Test
    void typingReachesTheTargetOnTheOtherNodeButNotTheSendersOwnSocketThere() throws Exception {
        String t = tenant();
        try (SioClient m1onA = SioClient.authenticated(A.socketUrl(), A.managerToken(t, "m1"));
             SioClient m1onB = SioClient.authenticated(B.socketUrl(), B.managerToken(t, "m1"));
             SioClient m2onB = SioClient.authenticated(B.socketUrl(), B.managerToken(t, "m2"));
             SioClient m3onA = SioClient.authenticated(A.socketUrl(), A.managerToken(t, "m3"))) {
            JSONObject ack = m1onA.emitAck("typing", new JSONObject().put("to", "managers"));
            assertThat(ack.getInt("delivered")).as("m2 on B and m3 on A, not m1's own sockets").isEqualTo(2);
            JSONObject typing = m2onB.awaitObject("typing");
            assertThat(typing.getJSONObject("from").getString("userId")).isEqualTo("m1");
            m3onA.awaitObject("typing");
            m2onB.assertNone("typing", NO_SECOND_COPY);
            m1onB.assertNone("typing", Duration.ofMillis(100)); // m2 and m3 have had theirs
            m1onA.assertNone("typing", Duration.ofMillis(100));
        }
    }

    @Test
    void aNotificationToASalesmanWithADeviceOnEachNodeReachesBothDevicesOnce() throws Exception {
        String t = tenant();
        String s = "s-" + t;
        try (SioClient phone = SioClient.authenticated(A.socketUrl(), A.salesmanToken(t, s));
             SioClient tablet = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, s))) {
            JsonNode answer = post(B, "/emit/notification",
                    "{\"tenantId\":\"" + t + "\",\"salesmanId\":\"" + s + "\",\"message\":\"visit Acme\"}");
            assertThat(answer.path("delivered").asInt()).isEqualTo(2);
            for (SioClient device : List.of(phone, tablet)) {
                assertThat(device.awaitObject("notification").getString("message")).isEqualTo("visit Acme");
            }
            phone.assertNone("notification", NO_SECOND_COPY);
            tablet.assertNone("notification", Duration.ofMillis(100));
        }
    }

    @Test
    void theNodesMakeLocationIdsWithSlotsOfTheirOwnSoThatIdsNeverCollideInTheSharedDatabase() throws Exception {
        String t = tenant();
        try (SioClient onA = SioClient.authenticated(A.socketUrl(), A.salesmanToken(t, "sa-" + t));
             SioClient onB = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, "sb-" + t));
             var redis = io.lettuce.core.RedisClient.create(ClusterNodes.REDIS).connect()) {
            java.util.Map<String, String> slots = redis.sync().hgetall(CLUSTER.keyPrefix() + ":slots");
            assertThat(slots).as("one id slot per live node").hasSize(2);
            assertThat(java.util.Set.copyOf(slots.values())).hasSize(2);
            long now = System.currentTimeMillis();
            long idA = Long.parseLong(onA.emitAck("location:update", new JSONObject().put("latitude", 1)
                    .put("longitude", 1).put("timestamp", now)).getString("id"));
            long idB = Long.parseLong(onB.emitAck("location:update", new JSONObject().put("latitude", 1)
                    .put("longitude", 1).put("timestamp", now)).getString("id"));
            long nodeA = (idA >> 14) & 255;
            long nodeB = (idB >> 14) & 255;
            assertThat(nodeA).isNotEqualTo(nodeB);
            assertThat(slots.keySet()).contains(Long.toString(nodeA), Long.toString(nodeB));
        }
    }

    @Test
    void aBroadcastReachesEverySocketOfBothNodesOnce() throws Exception {
        try (SioClient onA = SioClient.authenticated(A.socketUrl(), A.managerToken(tenant(), "m1"));
             SioClient onB = SioClient.authenticated(B.socketUrl(), B.salesmanToken(tenant(), "s-" + tenant()))) {
            JsonNode answer = post(B, "/broadcast", "{\"event\":\"maintenance\",\"data\":{\"at\":\"22:00\"}}");
            assertThat(answer.path("delivered").asInt()).isGreaterThanOrEqualTo(2);
            for (SioClient c : List.of(onA, onB)) {
                assertThat(((JSONObject) c.await("maintenance")).getString("at")).isEqualTo("22:00");
            }
            onA.assertNone("maintenance", NO_SECOND_COPY);
            onB.assertNone("maintenance", Duration.ofMillis(100));
        }
    }
}
