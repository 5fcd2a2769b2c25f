package com.salesmate.realtime.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.RawEngineIo;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.StoredLocations;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.json.JSONObject;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A second CONNECT on an already connected socket, with another tenant's or the same token, closes it and changes nothing. */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class SecondConnectTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(10);
    static final Duration QUIET = Duration.ofMillis(800);

    @ParameterizedTest(name = "{0}, second CONNECT with {1} token")
    @CsvSource({"websocket, other-tenant", "websocket, same", "polling, other-tenant", "polling, same"})
    void aSecondConnectClosesTheSessionAndNeitherIdentityNorDeliveriesChange(String transport, String second) throws Exception {
        String tag = transport + "-" + second;
        String tenantA = "sc-a-" + tag;
        String tenantB = "sc-b-" + tag;
        String salesmanA = "sc-sa-" + tag;
        String salesmanB = "sc-sb-" + tag;
        String tokenA = APP.salesmanToken(tenantA, salesmanA);
        String secondToken = "same".equals(second) ? tokenA : APP.salesmanToken(tenantB, salesmanB);
        long t0 = System.currentTimeMillis() - 60_000;

        // stored while salesman A is offline: delivered once, at its (first) authentication
        String notificationId = notify(tenantA, salesmanA);

        try (SioClient managerB = SioClient.authenticated(APP.socketUrl(), APP.managerToken(tenantB, "sc-mb-" + tag));
             RawEngineIo raw = RawEngineIo.open(APP.socketUrl(), transport)) {
            JSONObject welcome = raw.authenticate(tokenA);
            assertThat(welcome.getString("salesmanId")).isEqualTo(salesmanA);
            assertThat(welcome.getString("tenantId")).isEqualTo(tenantA);

            // positive controls on the live socket: the pending notification, an acked location, a tenant-A alert
            raw.awaitPacket(p -> isEvent(p, "notification") && p.contains(notificationId), WAIT);
            raw.emit("location:update", point(t0), 1);
            JSONObject ack = raw.awaitAck(1, WAIT);
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            assertThat(rows(salesmanA)).containsExactly(t0);
            postAlert(tenantA, "to-a-" + tag);
            raw.awaitPacket(p -> isEvent(p, "alert") && p.contains("to-a-" + tag), WAIT);
            JsonNode statusA = status(salesmanA);
            assertThat(statusA.path("online").asBoolean()).as(statusA.toString()).isTrue();

            // the second CONNECT, and an event right behind it that must never be handled
            raw.send("40" + new JSONObject().put("token", secondToken));
            raw.emit("location:update", point(t0 + 1_000).put("salesmanId", salesmanB), 2);
            raw.emit("location:update", point(t0 + 2_000), 3);

            assertThat(raw.awaitClosed(Duration.ofSeconds(5))).as("session closed after a second CONNECT; received %s",
                    raw.received()).isTrue();
            if ("polling".equals(transport)) {
                // the session already answered a request 400 code 1 (that is how the raw client saw it closed)
                HttpResponse<String> late = pollOnce(raw.sid());
                assertThat(late.statusCode()).as("a GET after %s answered %s; the raw client had received %s",
                        raw.closeDescription(), late.body(), raw.received()).isEqualTo(400);
                assertThat(JSON.readTree(late.body()).path("code").asInt()).isEqualTo(1);
            }

            // an alert to tenant B reaches tenant B's manager (positive control) ...
            postAlert(tenantB, "to-b-" + tag);
            JSONObject alertB = managerB.awaitObject("alert");
            assertThat(alertB.getString("message")).isEqualTo("to-b-" + tag);
            Thread.sleep(QUIET.toMillis()); // anything wrongly handled or delivered has shown by now
            // ... but not the raw socket
            assertThat(raw.received()).noneMatch(p -> isEvent(p, "alert") && p.contains("to-b-" + tag));

            // salesman B never became known, online or located through this socket; nothing was handled after the decision
            JsonNode statusB = status(salesmanB);
            assertThat(statusB.isMissingNode() || !statusB.path("online").asBoolean())
                    .as("status of %s: %s", salesmanB, statusB).isTrue();
            assertThat(rows(salesmanB)).as("rows of %s", salesmanB).isEmpty();
            assertThat(rows(salesmanA)).as("rows of %s: only the one acked before", salesmanA).containsExactly(t0);
            assertThat(raw.received()).as("no ack after the decision")
                    .noneMatch(p -> p.startsWith("432[") || p.startsWith("433["));

            // the notification came once (positive control above), never again
            assertThat(raw.received().stream().filter(p -> isEvent(p, "notification") && p.contains(notificationId)))
                    .hasSize(1);
        }
    }

    private static boolean isEvent(String packet, String event) {
        return packet.startsWith("42[\"" + event + "\"");
    }

    private static JSONObject point(long timestamp) throws Exception {
        return new JSONObject().put("latitude", 45.5).put("longitude", 9.2).put("timestamp", timestamp);
    }

    private static String notify(String tenant, String salesmanId) throws Exception {
        String body = new JSONObject().put("tenantId", tenant).put("salesmanId", salesmanId)
                .put("title", "t").put("message", "stored before").toString();
        try (Response r = APP.post("/emit/notification", TestApp.ADMIN_KEY, body)) {
            String text = r.readEntity(String.class);
            assertThat(r.getStatus()).as(text).isEqualTo(200);
            JsonNode answer = JSON.readTree(text);
            assertThat(answer.path("delivered").asInt()).as(text).isZero();
            return answer.path("notificationId").asText();
        }
    }

    private static void postAlert(String tenant, String message) throws Exception {
        String body = new JSONObject().put("tenantId", tenant).put("message", message).toString();
        try (Response r = APP.post("/emit/alert", TestApp.ADMIN_KEY, body)) {
            assertThat(r.getStatus()).as(r.readEntity(String.class)).isEqualTo(200);
        }
    }

    /** GET /salesmen/{id}/status: the answer, or a missing node when 404. */
    private static JsonNode status(String salesmanId) throws Exception {
        try (Response r = APP.get("/salesmen/" + salesmanId + "/status", TestApp.ADMIN_KEY)) {
            String text = r.readEntity(String.class);
            if (r.getStatus() == 404) {
                return JSON.missingNode();
            }
            assertThat(r.getStatus()).as(text).isEqualTo(200);
            return JSON.readTree(text);
        }
    }

    /** Stored recorded_at values of a salesman, read from the SQLite file as an outside observer. */
    private static List<Long> rows(String salesmanId) {
        return new StoredLocations(APP.sqliteFile()).timestamps(salesmanId);
    }

    private static HttpResponse<String> pollOnce(String sid) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(RawEngineIo.endpoint(APP.socketUrl(), "polling", sid)))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
