package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.RedisProcess;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis stopped under two nodes and started again (empty, as after a crash without persistence): each node keeps
 * serving its own sockets, its {@code redis} health check goes red saying why, cross-node emits are counted as
 * dropped; once Redis is back, health, listings and cross-node delivery return by themselves within seconds, and
 * nothing emitted during the outage arrives late or twice.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(240)
class RedisOutageTest {
    static final RedisProcess REDIS = RedisProcess.start();
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes(REDIS.url());
    static final TestApp A = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_A = A.extension();
    static final TestApp B = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_B = B.extension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String T = "tenant-outage";

    static JsonNode alert(TestApp node, String message) {
        return node.postOk("/emit/alert", TestApp.ADMIN_KEY,
                "{\"tenantId\":\"" + T + "\",\"message\":\"" + message + "\"}");
    }

    static JsonNode health(TestApp node) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(node.adminUrl("/healthcheck"))).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("redis");
    }

    @Test
    void nodesServeTheirOwnSocketsThroughAnOutageAndRecoverByThemselves() throws Exception {
        try (SioClient managerA = SioClient.authenticated(A.socketUrl(), A.managerToken(T, "m1"));
             SioClient managerB = SioClient.authenticated(B.socketUrl(), B.managerToken(T, "m2"));
             SioClient salesmanB = SioClient.authenticated(B.socketUrl(), B.salesmanToken(T, "s-outage"))) {
            assertThat(alert(A, "before").path("delivered").asInt()).isEqualTo(3);
            for (SioClient c : List.of(managerA, managerB, salesmanB)) {
                assertThat(c.awaitObject("alert").getString("message")).isEqualTo("before");
            }
            assertThat(health(A).path("healthy").asBoolean()).isTrue();

            REDIS.stop();
            long stopped = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode h = health(A);
                assertThat(h.path("healthy").asBoolean()).isFalse();
                assertThat(h.path("message").asText()).contains("Redis at redis://127.0.0.1");
            });
            System.out.printf("outage: health red %d ms after Redis stopped%n",
                    Duration.ofNanos(System.nanoTime() - stopped).toMillis());
            long droppedBefore = A.meter("cluster.messages.dropped");
            // local delivery goes on, on both nodes
            assertThat(alert(A, "during").path("delivered").asInt()).as("A's own socket").isEqualTo(1);
            assertThat(managerA.awaitObject("alert").getString("message")).isEqualTo("during");
            JSONObject ack = salesmanB.emitAck("location:update", new JSONObject()
                    .put("latitude", 1.5).put("longitude", 2.5).put("timestamp", System.currentTimeMillis()));
            assertThat(ack.getBoolean("success")).as("stored in the database, as ever").isTrue();
            assertThat(managerB.awaitObject("location:updated").getString("salesmanId")).isEqualTo("s-outage");
            assertThat(A.meter("cluster.messages.dropped")).isGreaterThan(droppedBefore);
            // the disconnect task closes this node's sockets and says, as a failure, that the others were not told
            try (SioClient extra = SioClient.authenticated(A.socketUrl(), A.salesmanToken(T, "s-outage-extra"))) {
                HttpResponse<String> task = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                                A.adminUrl("/tasks/disconnect?salesmanId=s-outage-extra")))
                        .header("Authorization", "Bearer " + TestApp.ADMIN_KEY)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(task.statusCode()).as(task.body()).isEqualTo(500);
                assertThat(task.body()).contains("FAILED: closed 1 sockets on this node; the other nodes could not be "
                        + "reached through Redis");
                extra.awaitDisconnected();
            }
            // listings cannot be answered for the cluster: 503, not a partial list
            Response listing = A.get("/tenants/" + T + "/connections", TestApp.ADMIN_KEY);
            assertThat(listing.getStatus()).isEqualTo(503);
            assertThat(listing.readEntity(String.class)).contains("unavailable");

            REDIS.restart();
            long restarted = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(health(A).path("healthy").asBoolean()).isTrue();
                assertThat(health(B).path("healthy").asBoolean()).isTrue();
                Response r = A.get("/tenants/" + T + "/connections", TestApp.ADMIN_KEY);
                assertThat(r.getStatus()).isEqualTo(200);
                assertThat(JSON.readTree(r.readEntity(String.class)).path("count").asInt())
                        .as("both nodes registered their sockets again").isEqualTo(3);
            });
            System.out.printf("outage: healthy and listed again %d ms after Redis restarted%n",
                    Duration.ofNanos(System.nanoTime() - restarted).toMillis());
            // alerts until one counts all three sockets again; each has its own text, and what it counted is kept
            java.util.Map<String, Integer> counted = new java.util.LinkedHashMap<>();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String text = "after-" + counted.size();
                int delivered = alert(A, text).path("delivered").asInt();
                counted.put(text, delivered);
                assertThat(delivered).isEqualTo(3);
            });
            // B's salesman: nothing of the outage arrives late, and exactly one copy of every alert that counted him
            // (delivered 3), none of one that did not (delivered 1: B was not reachable for it)
            String last = (String) counted.keySet().toArray()[counted.size() - 1];
            List<String> atB = new java.util.ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                salesmanB.drain("alert").forEach(a -> atB.add(((JSONObject) a).optString("message")));
                return atB.contains(last);
            });
            Thread.sleep(500); // a late or second copy would arrive within this
            salesmanB.drain("alert").forEach(a -> atB.add(((JSONObject) a).optString("message")));
            List<String> expected = counted.entrySet().stream().filter(e -> e.getValue() == 3)
                    .map(java.util.Map.Entry::getKey).toList();
            assertThat(atB).as("alerts at B's salesman (emits: %s)", counted).containsExactlyElementsOf(expected);
        }
    }
}
