package com.salesmate.realtime.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import com.sun.net.httpserver.HttpServer;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks end to end (SPEC 10) against a real HTTP receiver: visits, alerts and presence arrive signed (checked with
 * the Standard Webhooks library), once each; a 500 is retried with the same webhook-id; a 410 disables the endpoint;
 * every attempt is in the delivery log; a tenant never sees another's endpoints or secrets.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class WebhooksEndToEndTest {
    static final TestApp APP = TestApp.create(ConfigOverride.config("webhooks.allowPrivate", "true"),
            ConfigOverride.config("socketio.rateLimitPerSecond", "100"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final ObjectMapper JSON = new ObjectMapper();

    /** What the receiver got: path, headers, body. */
    record Got(String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }
    }

    static HttpServer receiver;
    static final Map<String, BlockingQueue<Got>> GOT = new ConcurrentHashMap<>();
    static final Map<String, Deque<Integer>> SCRIPT = new ConcurrentHashMap<>();

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            GOT.computeIfAbsent(path, p -> new LinkedBlockingQueue<>())
                    .add(new Got(path, Map.copyOf(exchange.getRequestHeaders()), body));
            Deque<Integer> script = SCRIPT.get(path);
            Integer status = script == null ? null : script.poll();
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop(0);
    }

    static String url(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    static String fresh(String p) {
        return p + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Got next(String path) throws Exception {
        Got g = GOT.computeIfAbsent(path, p -> new LinkedBlockingQueue<>()).poll(15, TimeUnit.SECONDS);
        assertThat(g).as("a delivery to " + path + " within 15 s").isNotNull();
        return g;
    }

    static JsonNode put(String path, String credential, String json, int expected) throws Exception {
        Response r = APP.request(path, credential).put(Entity.entity(json, MediaType.APPLICATION_JSON_TYPE));
        String text = r.readEntity(String.class);
        assertThat(r.getStatus()).as(text).isEqualTo(expected);
        return JSON.readTree(text);
    }

    /** A webhook of {@code tenant} to {@code path} for {@code events}; its secret. */
    static String hook(String tenant, String id, String path, String... events) throws Exception {
        JsonNode saved = put("/webhooks/" + id, TestApp.ADMIN_KEY, JSON.writeValueAsString(Map.of("tenantId", tenant,
                "url", url(path), "events", List.of(events))), 200);
        assertThat(saved.path("created").asBoolean()).isTrue();
        return saved.path("secret").asText();
    }

    /** Verified with the Standard Webhooks library, as a receiver would; the parsed body. */
    static JsonNode verified(Got g, String secret) throws Exception {
        new com.standardwebhooks.Webhook(secret).verify(g.body(), g.headers());
        return JSON.readTree(g.body());
    }

    @Test
    void aVisitReachesTheEndpointSignedOnceEachAndAlertsAndPresenceToo() throws Exception {
        String tenant = fresh("wt");
        String path = "/" + fresh("visits");
        String secret = hook(tenant, "crm", path, "visit.arrived", "visit.checked_in", "visit.checked_out",
                "alert.created", "salesman.online");
        put("/sites/acme", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + tenant + "\",\"name\":\"Acme\",\"latitude\":12.9716,"
                + "\"longitude\":77.5946,\"dwell\":0}", 200);
        String salesman = fresh("ravi");
        long t0 = System.currentTimeMillis() - 600_000;
        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(tenant, salesman))) {
            JsonNode online = verified(next(path), secret);
            assertThat(online.path("type").asText()).isEqualTo("salesman.online");
            assertThat(online.path("data").path("salesmanId").asText()).isEqualTo(salesman);
            double m = 1 / com.salesmate.realtime.visits.SiteIndex.METERS_PER_DEGREE;
            for (double[] p : new double[][] {{0, 0}, {30, 500}, {100, 600}}) {
                s.emitAck("location:update", new JSONObject().put("latitude", 12.9716 + p[1] * m)
                        .put("longitude", 77.5946).put("accuracy", 5).put("timestamp", t0 + (long) p[0] * 1000));
            }
            List<String> types = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            String visitId = null;
            for (int i = 0; i < 3; i++) {
                Got g = next(path);
                JsonNode body = verified(g, secret);
                types.add(body.path("type").asText());
                ids.add(g.header("webhook-id"));
                assertThat(body.path("data").path("salesmanId").asText()).isEqualTo(salesman);
                assertThat(body.path("data").path("siteId").asText()).isEqualTo("acme");
                visitId = visitId == null ? body.path("data").path("visitId").asText() : visitId;
                assertThat(body.path("data").path("visitId").asText()).isEqualTo(visitId);
                if (body.path("type").asText().equals("visit.checked_out")) {
                    assertThat(body.path("data").path("duration").asLong()).isEqualTo(30_000);
                    assertThat(body.path("timestamp").asText()).isEqualTo(java.time.Instant.ofEpochMilli(t0 + 100_000)
                            .toString());
                }
            }
            assertThat(types).containsExactlyInAnyOrder("visit.arrived", "visit.checked_in", "visit.checked_out");
            assertThat(ids).doesNotHaveDuplicates().allSatisfy(id -> assertThat(id).startsWith("msg_"));

            APP.postOk("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + tenant + "\",\"message\":\"fire drill\"}");
            JsonNode alert = verified(next(path), secret);
            assertThat(alert.path("type").asText()).isEqualTo("alert.created");
            assertThat(alert.path("data").path("message").asText()).isEqualTo("fire drill");
        }
        // each once: nothing more came (the alert above was the last thing reported)
        assertThat(GOT.get(path).poll(1, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void a500IsRetriedWithTheSameIdAnd410DisablesTheEndpoint() throws Exception {
        String tenant = fresh("wr");
        String flaky = "/" + fresh("flaky");
        String gone = "/" + fresh("gone");
        String control = "/" + fresh("control");
        SCRIPT.put(flaky, new ArrayDeque<>(List.of(500)));
        SCRIPT.put(gone, new ArrayDeque<>(List.of(410)));
        String flakySecret = hook(tenant, "flaky", flaky, "alert.created");
        hook(tenant, "gone", gone, "alert.created");
        hook(tenant, "control", control, "alert.created");

        APP.postOk("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + tenant + "\",\"message\":\"one\"}");
        Got first = next(flaky);
        Got second = next(flaky); // after the 500: again, within the first retry (5 s +-20%)
        assertThat(second.header("webhook-id")).isEqualTo(first.header("webhook-id"));
        assertThat(verified(second, flakySecret).path("data").path("message").asText()).isEqualTo("one");
        next(gone); // answered 410
        next(control);

        // the attempt is logged once its answer is in: the receiver may see the request first
        await().atMost(Duration.ofSeconds(5)).until(() -> APP.getOk("/webhooks/flaky/deliveries?tenantId=" + tenant,
                TestApp.ADMIN_KEY).path("count").asInt() == 2);
        JsonNode log = APP.getOk("/webhooks/flaky/deliveries?tenantId=" + tenant, TestApp.ADMIN_KEY);
        assertThat(log.path("count").asInt()).isEqualTo(2);
        assertThat(log.path("deliveries").get(0).path("status").asInt()).isEqualTo(200);
        assertThat(log.path("deliveries").get(0).path("outcome").asText()).isEqualTo("delivered");
        assertThat(log.path("deliveries").get(0).path("attempt").asInt()).isEqualTo(2);
        assertThat(log.path("deliveries").get(1).path("status").asInt()).isEqualTo(500);
        assertThat(log.path("deliveries").get(1).path("outcome").asText()).isEqualTo("retry");

        await().atMost(Duration.ofSeconds(5)).until(() -> !APP.getOk("/webhooks/gone?tenantId=" + tenant,
                TestApp.ADMIN_KEY).path("webhook").path("enabled").asBoolean());
        JsonNode goneHook = APP.getOk("/webhooks/gone?tenantId=" + tenant, TestApp.ADMIN_KEY).path("webhook");
        assertThat(goneHook.path("enabled").asBoolean()).isFalse();
        assertThat(goneHook.path("disabledReason").asText()).contains("410");
        // the next alert reaches the control endpoint (proof one would have come) and not the disabled one
        APP.postOk("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + tenant + "\",\"message\":\"two\"}");
        assertThat(JSON.readTree(next(control).body()).path("data").path("message").asText()).isEqualTo("two");
        assertThat(GOT.get(gone).poll(1, TimeUnit.SECONDS)).isNull();
        // PUT again: enabled again
        assertThat(put("/webhooks/gone", TestApp.ADMIN_KEY, JSON.writeValueAsString(Map.of("tenantId", tenant,
                "url", url(gone), "events", List.of("alert.created"))), 200).path("webhook").path("enabled")
                .asBoolean()).isTrue();
    }

    @Test
    void endpointsAreValidatedTenantScopedAndTheSecretIsShownOnce() throws Exception {
        String key = APP.managerToken("tenant-a", "m");
        String id = fresh("h");
        JsonNode bad = put("/webhooks/" + id, key, "{\"url\":\"" + url("/x") + "\",\"events\":[\"visit.teleported\"]}",
                400);
        assertThat(bad.path("error").path("field").asText()).isEqualTo("events");
        assertThat(put("/webhooks/" + id, key, "{\"url\":\"" + url("/x") + "\",\"events\":[]}", 400)
                .path("error").path("field").asText()).isEqualTo("events");
        assertThat(put("/webhooks/" + id, key, "{\"url\":\"ftp://" + "example.org/x\",\"events\":[\"alert.created\"]}",
                400).path("error").path("field").asText()).isEqualTo("url");
        assertThat(put("/webhooks/" + id, key, "{\"url\":\"" + url("/x") + "\",\"events\":[\"alert.created\"],"
                + "\"secret\":\"hunter2\"}", 400).path("error").path("field").asText()).isEqualTo("secret");
        assertThat(APP.status("/webhooks/" + id, key)).as("nothing written").isEqualTo(404);

        JsonNode created = put("/webhooks/" + id, key, "{\"url\":\"" + url("/x") + "\",\"events\":[\"alert.created\"]}",
                200);
        String secret = created.path("secret").asText();
        assertThat(secret).startsWith("whsec_");
        JsonNode read = APP.getOk("/webhooks/" + id, key);
        assertThat(read.toString()).doesNotContain(secret.substring(6));
        JsonNode replaced = put("/webhooks/" + id, key, "{\"url\":\"" + url("/y") + "\",\"events\":[\"alert.created\"]}",
                200);
        assertThat(replaced.has("secret")).as("kept, not shown again").isFalse();
        assertThat(replaced.path("webhook").path("url").asText()).endsWith("/y");

        assertThat(APP.status("/webhooks/" + id, TestApp.TENANT_B_KEY)).isEqualTo(404);
        assertThat(APP.status("/webhooks/" + id + "?tenantId=tenant-a", TestApp.TENANT_B_KEY)).isEqualTo(403);
        assertThat(APP.status("/webhooks/" + id + "/deliveries?tenantId=tenant-a", TestApp.TENANT_B_KEY))
                .isEqualTo(403);
        assertThat(APP.getOk("/webhooks", TestApp.TENANT_B_KEY).toString()).doesNotContain(id);
        assertThat(APP.getOk("/webhooks", key).toString()).contains(id);
        try (Response deleted = APP.request("/webhooks/" + id, key).delete()) {
            assertThat(deleted.getStatus()).isEqualTo(200);
        }
        assertThat(APP.status("/webhooks/" + id, key)).isEqualTo(404);
    }
}
