package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.crash.ChildService;
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
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node killed with SIGKILL (a child process in the cluster, beside an in-JVM node): within the configured node
 * timeout plus a heartbeat, its sockets leave every listing of the surviving node and its salesman goes offline for
 * the managers on the surviving node, once.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(240)
class NodeFailoverTest {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    static final TestApp A = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_A = A.extension();
    static final String TENANT = "tenant-failover";
    /** ClusterNodes.NODE_TIMEOUT (3 s) plus one heartbeat (0.5 s), with 1.5 s for a busy machine. */
    static final Duration BOUND = Duration.ofSeconds(5);

    static JsonNode get(String path) {
        return A.getOk(path, TestApp.ADMIN_KEY);
    }

    @Test
    void aKilledNodesSocketsLeaveTheListingsAndItsSalesmanGoesOfflineOnceWithinTheBound(@TempDir Path dir)
            throws Exception {
        String clusterYaml = CLUSTER.childYaml();
        TokenService childTokens = new TokenService(ChildService.JWT_SECRET, Optional.empty(), Clock.systemUTC());
        String salesman = "s-failover";
        try (ChildService node = new ChildService(dir, 100, Duration.ofSeconds(10), PG.url(), clusterYaml);
             SioClient manager = SioClient.authenticated(A.socketUrl(), A.managerToken(TENANT, "m1"))) {
            node.start();
            SioClient onChild = SioClient.authenticated(node.socketUrl(),
                    childTokens.mint("u-" + salesman, TENANT, Role.SALESMAN, salesman, Duration.ofMinutes(10)));
            SioClient managerOnChild = SioClient.authenticated(node.socketUrl(),
                    childTokens.mint("m2", TENANT, Role.MANAGER, null, Duration.ofMinutes(10)));
            assertThat(manager.awaitObject("salesman:online").getString("salesmanId")).isEqualTo(salesman);
            // an emit on A reaches the child's socket: the child is really in the cluster
            assertThat(A.postOk("/emit/alert", TestApp.ADMIN_KEY,
                    "{\"tenantId\":\"" + TENANT + "\",\"message\":\"before\"}").path("delivered").asInt()).isEqualTo(3);
            assertThat(onChild.awaitObject("alert").getString("message")).isEqualTo("before");
            assertThat(get("/tenants/" + TENANT + "/connections").path("count").asInt()).isEqualTo(3);

            long killedAt = System.nanoTime();
            long killedAtMillis = System.currentTimeMillis();
            node.kill();
            JSONObject offline = (JSONObject) manager.await("salesman:offline", BOUND);
            long offlineAfter = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
            assertThat(offline.getString("salesmanId")).isEqualTo(salesman);
            assertThat(offline.getLong("at")).as("the dead node's last heartbeat").isLessThanOrEqualTo(killedAtMillis);
            long listedUntil;
            while (true) { // the listing is cleaned by the same heartbeat that told the managers
                if (get("/tenants/" + TENANT + "/connections").path("count").asInt() == 1) {
                    listedUntil = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
                    break;
                }
                assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(BOUND);
                Thread.sleep(50);
            }
            System.out.printf("failover: salesman offline %d ms and sockets unlisted %d ms after SIGKILL "
                    + "(node timeout %s)%n", offlineAfter, listedUntil, ClusterNodes.NODE_TIMEOUT);
            // lastSeen is written by whichever node saw him last (batched every 200 ms): the dead node may not have
            await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
                JsonNode status = get("/salesmen/" + salesman + "/status");
                assertThat(status.path("online").asBoolean()).isFalse();
                assertThat(status.path("lastSeen").asLong()).isLessThanOrEqualTo(killedAtMillis);
            });
            assertThat(get("/tenants/" + TENANT + "/online-salesmen").path("count").asInt()).isZero();
            manager.assertNone("salesman:offline", Duration.ofSeconds(2));
            // and the survivor's emits now count its own sockets only
            assertThat(A.postOk("/emit/alert", TestApp.ADMIN_KEY,
                    "{\"tenantId\":\"" + TENANT + "\",\"message\":\"after\"}").path("delivered").asInt()).isEqualTo(1);
            onChild.close();
            managerOnChild.close();
        }
    }
}
