package com.salesmate.realtime.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.PrometheusScrape;
import com.salesmate.realtime.support.PrometheusScrape.Sample;
import com.salesmate.realtime.support.PrometheusScrape.Scrape;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.StoredLocations;
import com.salesmate.realtime.support.TestApp;
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

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin port's {@code /prometheus}, scraped over HTTP and parsed as the text format while real Socket.IO clients,
 * REST emits and a webhook receiver drive the service: latency histograms count exactly what was timed, labelled
 * families carry their labels, the new gauges say what the service holds, and no family is declared twice.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class PrometheusExportTest {
    static final TestApp APP = TestApp.create(ConfigOverride.config("webhooks.allowPrivate", "true"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> HISTOGRAMS = List.of("locations_ack_seconds", "socketio_fanout_seconds",
            "socketio_connect_seconds", "webhooks_attempt_seconds", "locations_writer_commit_seconds");

    static Scrape scrape() throws Exception {
        return PrometheusScrape.of(APP.adminUrl("/prometheus"));
    }

    @Test
    void latencyHistogramsCountWhatTheSocketsAndTheRestApiDid() throws Exception {
        Scrape before = scrape();
        int updates = 7;
        try (SioClient manager = SioClient.authenticated(APP.socketUrl(), APP.managerToken("prom-t", "prom-boss"));
             SioClient phone = SioClient.anonymous(APP.socketUrl())) {
            // one socket authenticated in its handshake, the other with the event: both are connect times
            assertThat(phone.emitAck("authenticate", new JSONObject().put("token",
                    APP.salesmanToken("prom-t", "prom-s1"))).getBoolean("success")).isTrue();
            manager.await("salesman:online");
            long ts = System.currentTimeMillis() - 60_000;
            for (int i = 0; i < updates; i++) {
                JSONObject ack = phone.emitAck("location:update",
                        StoredLocations.point(12.97 + i * 0.001, 77.59, ts + i));
                assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
                manager.await("location:updated");
            }
            try (Response r = APP.post("/emit/alert", TestApp.ADMIN_KEY,
                    "{\"tenantId\":\"prom-t\",\"message\":\"Stock count at 5\"}")) {
                assertThat(r.getStatus()).as(r.readEntity(String.class)).isEqualTo(200);
            }
            manager.await("alert");
            phone.await("alert");

            // acks are timed before they are sent, fan-outs when the last loop has written: both done by now
            Scrape after = scrape();
            assertThat(after.count("locations_ack_seconds") - before.count("locations_ack_seconds"))
                    .isEqualTo(updates);
            assertThat(after.value("locations_ack_seconds_sum")).isGreaterThan(0);
            // location:updated to the manager each time, the alert once, salesman:online once
            assertThat(after.count("socketio_fanout_seconds") - before.count("socketio_fanout_seconds"))
                    .isGreaterThanOrEqualTo(updates + 2);
            assertThat(after.count("socketio_connect_seconds") - before.count("socketio_connect_seconds"))
                    .isEqualTo(2);
            assertThat(after.count("locations_writer_commit_seconds")).isGreaterThanOrEqualTo(1);
            for (String histogram : HISTOGRAMS) {
                PrometheusScrape.assertWellFormedHistogram(after, histogram);
            }
            // the Dropwizard timers behind them are still timers in /metrics (and no longer summaries here)
            assertThat(timerCount("locations.ack")).isEqualTo((long) after.count("locations_ack_seconds"));
            assertThat(after.types()).doesNotContainKeys("locations_ack", "locations_writer_commit");
        }
    }

    @Test
    void labelledFamiliesCarryTheirLabelsInsteadOfOneNamePerValue() throws Exception {
        Scrape before = scrape();
        // a handshake from a foreign origin is refused
        HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(
                        URI.create(APP.socketUrl() + "/socket.io/?EIO=4&transport=polling"))
                .header("Origin", "https://evil.example").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        // a bad token: an auth failure, and the session ends for it
        try (SioClient bad = SioClient.anonymous(APP.socketUrl())) {
            assertThat(bad.emitAck("authenticate", new JSONObject().put("token", "not-a-jwt"))
                    .getJSONObject("error").getString("code")).isEqualTo("invalid_token");
            bad.awaitDisconnected();
        }
        // a client that leaves, over polling
        try (SioClient leaving = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("prom-l", "prom-l1"),
                "polling")) {
            leaving.socket().disconnect();
            leaving.awaitDisconnected();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> scrape().value("socketio_disconnects_total",
                Map.of("reason", "client_disconnect")) != null);

        Scrape s = scrape();
        assertThat(grew(before, s, "socketio_handshakes_refused_total", Map.of("reason", "origin"))).isEqualTo(1);
        assertThat(grew(before, s, "socketio_auth_failures_total", Map.of("code", "invalid_token"))).isEqualTo(1);
        assertThat(grew(before, s, "socketio_disconnects_total", Map.of("reason", "auth_failed"))).isEqualTo(1);
        assertThat(grew(before, s, "socketio_disconnects_total", Map.of("reason", "client_disconnect"))).isEqualTo(1);
        assertThat(s.value("socketio_connects_by_transport_total", Map.of("transport", "polling")))
                .isGreaterThanOrEqualTo(1);
        assertThat(s.value("socketio_connects_by_transport_total", Map.of("transport", "websocket")))
                .isGreaterThanOrEqualTo(1);
        assertThat(s.value("socketio_events_received_total", Map.of("event", "authenticate")))
                .isGreaterThanOrEqualTo(1);
        assertThat(s.value("socketio_events_sent_total", Map.of("event", "authenticated"))).isGreaterThanOrEqualTo(1);
        for (String family : List.of("socketio_handshakes_refused", "socketio_auth_failures", "socketio_disconnects",
                "socketio_connects_by_transport", "socketio_events_received", "socketio_events_sent")) {
            assertThat(s.types().get(family + "_total")).as(family).isEqualTo("counter");
        }
        // each labelled value replaced a name of its own (the labelled samples above prove they would be counted)
        assertThat(s.samples().stream().map(Sample::name)).doesNotContain("socketio_handshakes_refused_origin_total",
                "socketio_auth_failures_invalid_token_total", "socketio_messages_received_authenticate_total",
                "socketio_connections_connects_websocket_total",
                "socketio_connections_disconnects_reason_client_disconnect_total");
        // the unlabelled totals stay, and agree with their labelled parts
        double received = s.named("socketio_events_received_total").stream().mapToDouble(Sample::value).sum();
        assertThat(s.value("socketio_messages_received_total")).isEqualTo(received);
        double connects = s.named("socketio_connects_by_transport_total").stream().mapToDouble(Sample::value).sum();
        assertThat(s.value("socketio_connections_connects_total")).isEqualTo(connects);
        assertThat(s.value("socketio_connections_disconnects_total")).isNotNull();
        assertThat(s.value("socketio_messages_sent_total")).isNotNull();
    }

    @Test
    void gaugesSayWhatTheServiceHoldsAndHowHealthyItIs() throws Exception {
        Scrape s = scrape();
        assertThat(s.value("locations_writer_queue_capacity")).isEqualTo(20_000.0); // test-config.yml
        assertThat(s.value("locations_writer_queue_depth")).isNotNull();
        assertThat(s.types()).containsEntry("health_ready", "gauge");
        assertThat(s.value("health_ready")).isEqualTo(1.0);
        try (Response ready = EXT.client().target("http://127.0.0.1:" + EXT.getLocalPort() + "/health-check")
                .request().get()) {
            assertThat(ready.getStatus()).isEqualTo(200);
        }
        // every registered check, from its last scheduled run
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
            Scrape now = scrape();
            for (String check : List.of("health_socketio", "health_location_writer", "health_database",
                    "health_deadlocks")) {
                assertThat(now.value(check)).as(check).isEqualTo(1.0);
            }
        });

        // a notification for a salesman who is offline stays pending, database-wide, counted within 15 s
        double pendingBefore = awaitCounted("notifications_pending");
        try (Response r = APP.post("/emit/notification", TestApp.ADMIN_KEY,
                "{\"tenantId\":\"prom-n\",\"salesmanId\":\"prom-offline\",\"message\":\"Call the north store\"}")) {
            assertThat(r.getStatus()).as(r.readEntity(String.class)).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(45))
                .until(() -> scrape().value("notifications_pending") == pendingBefore + 1);
    }

    @Test
    void webhookAttemptsAreTimedAndFailingAndDisabledEndpointsCounted() throws Exception {
        Map<String, AtomicInteger> calls = new HashMap<>();
        calls.put("/gone", new AtomicInteger());
        calls.put("/flaky", new AtomicInteger());
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            exchange.getRequestBody().readAllBytes();
            calls.get(path).incrementAndGet();
            exchange.sendResponseHeaders(path.equals("/gone") ? 410 : 500, -1); // flaky: always 500, retried later
            exchange.close();
        });
        receiver.start();
        try {
            Scrape before = scrape();
            double failingBefore = awaitCounted("webhooks_endpoints_failing");
            double disabledBefore = awaitCounted("webhooks_endpoints_disabled");
            String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
            for (String hook : List.of("gone", "flaky")) {
                String body = "{\"tenantId\":\"prom-w\",\"url\":\"" + base + "/" + hook
                        + "\",\"events\":[\"alert.created\"]}";
                try (Response r = APP.request("/webhooks/prom-" + hook, TestApp.ADMIN_KEY)
                        .put(Entity.entity(body, MediaType.APPLICATION_JSON_TYPE))) {
                    assertThat(r.getStatus()).as(r.readEntity(String.class)).isEqualTo(200);
                }
            }
            try (Response r = APP.post("/emit/alert", TestApp.ADMIN_KEY,
                    "{\"tenantId\":\"prom-w\",\"message\":\"Stock count at 5\"}")) {
                assertThat(r.getStatus()).as(r.readEntity(String.class)).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(45)).until(() -> calls.get("/gone").get() == 1
                    && calls.get("/flaky").get() >= 1);
            // flaky is tried again 5 s later (then 5 min later): whatever the receiver saw by the scrape is counted
            await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
                int flaky = calls.get("/flaky").get();
                Scrape now = scrape();
                assertThat(now.count("webhooks_attempt_seconds") - before.count("webhooks_attempt_seconds"))
                        .isEqualTo(1 + flaky);
                assertThat(now.value("webhooks_deliveries_total", Map.of("outcome", "disabled"))).isEqualTo(1.0);
                assertThat(now.value("webhooks_deliveries_total", Map.of("outcome", "retry"))).isEqualTo(flaky);
                assertThat(now.value("webhooks_endpoints_disabled")).isEqualTo(disabledBefore + 1);
                assertThat(now.value("webhooks_endpoints_failing")).isEqualTo(failingBefore + 1);
                assertThat(now.value("webhooks_pending")).isGreaterThanOrEqualTo(1.0); // flaky's retry
            });
            PrometheusScrape.assertWellFormedHistogram(scrape(), "webhooks_attempt_seconds");
        } finally {
            receiver.stop(0);
        }
    }

    /** How much a labelled sample grew between two scrapes (a sample not there yet counts as 0). */
    private static double grew(Scrape before, Scrape after, String name, Map<String, String> labels) {
        Double was = before.value(name, labels);
        Double is = after.value(name, labels);
        return (is == null ? 0 : is) - (was == null ? 0 : was);
    }

    /** A timer's count in the admin port's /metrics JSON. */
    private static long timerCount(String name) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(APP.adminUrl("/metrics"))).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode timer = new ObjectMapper().readTree(r.body()).path("timers").path(name);
        assertThat(timer.isMissingNode()).as("timer %s in /metrics", name).isFalse();
        return timer.path("count").asLong();
    }

    /** A database gauge once it has been counted (it reads -1 before the first count). */
    private static double awaitCounted(String gauge) throws Exception {
        await().atMost(Duration.ofSeconds(45)).until(() -> {
            Double v = scrape().value(gauge);
            return v != null && v >= 0;
        });
        return scrape().value(gauge);
    }
}
