package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import com.salesmate.realtime.visits.SiteIndex;
import com.salesmate.realtime.visits.VisitsEndToEndTest;
import com.sun.net.httpserver.HttpServer;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes see one visit (SPEC 10): a salesman arrives and checks in through node A, his phone moves to node B and he
 * leaves there; the managers on both nodes get each event once with one visit id, the stored visit is whole, and a
 * webhook endpoint gets each event once although both nodes deliver the outbox.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class TwoNodeVisitsTest {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    static final ConfigOverride[] EXTRA = {ConfigOverride.config("visits.siteRefresh", "200ms"),
            ConfigOverride.config("webhooks.allowPrivate", "true"),
            ConfigOverride.config("socketio.rateLimitPerSecond", "100")};
    static final TestApp A = CLUSTER.node(PG.url(), EXTRA);
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_A = A.extension();
    static final TestApp B = CLUSTER.node(PG.url(), EXTRA);
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_B = B.extension();
    static final double LAT = 12.9716;
    static final double LON = 77.5946;
    static final double M = 1 / SiteIndex.METERS_PER_DEGREE;


    static JSONObject point(long at, double north) throws Exception {
        return new JSONObject().put("latitude", LAT + north * M).put("longitude", LON).put("accuracy", 8)
                .put("timestamp", at);
    }

    @Test
    void aVisitStartedOnOneNodeEndsOnTheOtherOnceForEveryone() throws Exception {
        String t = ClusterNodes.tenant();
        String salesman = "s-" + t;
        BlockingQueue<String> hooks = new LinkedBlockingQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", ex -> {
            hooks.add(ex.getRequestHeaders().getFirst("webhook-id") + " "
                    + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        try {
            try (Response r = A.request("/webhooks/crm", TestApp.ADMIN_KEY).put(Entity.entity(
                    "{\"tenantId\":\"" + t + "\",\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort()
                            + "/h\",\"events\":[\"visit.arrived\",\"visit.checked_in\",\"visit.checked_out\"]}",
                    MediaType.APPLICATION_JSON_TYPE));
                 Response s = A.request("/sites/acme", TestApp.ADMIN_KEY).put(Entity.entity(
                         "{\"tenantId\":\"" + t + "\",\"name\":\"Acme\",\"latitude\":" + LAT + ",\"longitude\":" + LON
                                 + ",\"dwell\":60}", MediaType.APPLICATION_JSON_TYPE))) {
                assertThat(r.getStatus()).isEqualTo(200);
                assertThat(s.getStatus()).isEqualTo(200);
            }
            // B holds the site once its refresh has read it (it never heard of the PUT otherwise)
            await().atMost(Duration.ofSeconds(10)).until(() -> B.meter("visits.sites") >= 1);
            long t0 = System.currentTimeMillis() - 600_000;
            try (SioClient managerA = SioClient.authenticated(A.socketUrl(), A.managerToken(t, "m1"));
                 SioClient managerB = SioClient.authenticated(B.socketUrl(), B.managerToken(t, "m2"))) {
                BlockingQueue<Object[]> onA = VisitsEndToEndTest.visitEvents(managerA);
                BlockingQueue<Object[]> onB = VisitsEndToEndTest.visitEvents(managerB);
                try (SioClient phone = SioClient.authenticated(A.socketUrl(), A.salesmanToken(t, salesman))) {
                    for (long[] p : new long[][] {{0, 0}, {30, 10}, {70, 5}}) { // arrives, and checks in at 70 s
                        assertThat(phone.emitAck("location:update", point(t0 + p[0] * 1000, p[1]))
                                .getBoolean("success")).isTrue();
                    }
                }
                try (SioClient phone = SioClient.authenticated(B.socketUrl(), B.salesmanToken(t, salesman))) {
                    for (long[] p : new long[][] {{100, 600}, {170, 700}}) { // leaves: checked out at 170 s
                        assertThat(phone.emitAck("location:update", point(t0 + p[0] * 1000, p[1]))
                                .getBoolean("success")).isTrue();
                    }
                }
                for (BlockingQueue<Object[]> q : List.of(onA, onB)) {
                    List<String> names = new ArrayList<>();
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        Object[] e = q.poll(10, TimeUnit.SECONDS);
                        assertThat(e).as("event " + i).isNotNull();
                        names.add((String) e[0]);
                        ids.add(((JSONObject) e[1]).getString("visitId"));
                    }
                    assertThat(names).isEqualTo(VisitsEndToEndTest.EVENTS);
                    assertThat(ids).containsOnly(ids.get(0));
                    assertThat(q.poll(1, TimeUnit.SECONDS)).as("no second copy").isNull();
                }
            }
            JsonNode visits = B.getOk("/salesmen/" + salesman + "/visits?from=" + (t0 - 1), TestApp.ADMIN_KEY);
            assertThat(visits.path("count").asInt()).isEqualTo(1);
            assertThat(visits.path("visits").get(0).path("duration").asLong()).isEqualTo(100_000);
            assertThat(visits.path("visits").get(0).path("checkedInAt").asLong()).isEqualTo(t0 + 70_000);

            List<String> got = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String h = hooks.poll(15, TimeUnit.SECONDS);
                assertThat(h).as("webhook " + i).isNotNull();
                got.add(h);
            }
            assertThat(got.stream().map(h -> h.substring(0, h.indexOf(' ')))).doesNotHaveDuplicates();
            assertThat(got.stream().map(h -> h.replaceAll("(?s).*\"type\":\"([a-z._]+)\".*", "$1")))
                    .containsExactlyInAnyOrder("visit.arrived", "visit.checked_in", "visit.checked_out");
            assertThat(hooks.poll(2, TimeUnit.SECONDS)).as("each once, though both nodes deliver").isNull();
        } finally {
            receiver.stop(0);
        }
    }
}
