package com.salesmate.realtime.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input against the running service: not JSON, wrong types, missing and unknown fields, unknown event names,
 * oversize bodies (declared and chunked), ids outside the contract's character set in paths and bodies, unknown
 * routes. Each gets the documented error in the one error shape, and nothing is emitted to the connected sockets or
 * stored.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(90)
class BadRequestTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** What any emit in these requests could have produced. */
    static final List<String> EMITTED = List.of("alert", "dashboard:refresh", "visit:created", "visit:updated",
            "order:created", "target:progress", "notification", "maintenance", "x");
    static final String ADMIN = TestApp.ADMIN_KEY;
    static final String KEY_A = TestApp.TENANT_A_KEY;
    static final String ID_RULE = " must match [A-Za-z0-9._-]{1,64}";
    static final String BODY_ID_RULE = " must match \"[A-Za-z0-9._-]{1,64}\"";

    static SioClient manager;
    static SioClient salesman;

    @BeforeAll
    static void connect() {
        manager = SioClient.authenticated(APP.socketUrl(), APP.managerToken("tenant-a", "bad-m"));
        salesman = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-a", "bad-s1"));
        manager.await("salesman:online");
    }

    @AfterAll
    static void close() {
        manager.close();
        salesman.close();
    }

    /** One bad request and the error it must get ({@code field} null: the error names no field). */
    record Bad(String name, String method, String path, String credential, String contentType, String body,
               int status, String code, String field) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Bad post(String name, String path, String credential, String body, String field) {
        return new Bad(name, "POST", path, credential, "application/json", body, 400, "invalid_payload", field);
    }

    static Bad get(String name, String path, int status, String code, String field) {
        return new Bad(name, "GET", path, ADMIN, null, null, status, code, field);
    }

    static Stream<Bad> badRequests() {
        return Stream.of(
                // not JSON
                post("form body", "/emit/alert", KEY_A, "message=hello", null),
                post("truncated JSON", "/emit/alert", KEY_A, "{\"message\":\"hi\"", null),
                post("array for an object", "/emit/alert", KEY_A, "[\"message\"]", null),
                post("bare string", "/emit/notification", KEY_A, "\"hello\"", null),
                post("empty body", "/emit/event", KEY_A, "", null),
                new Bad("text/plain body", "POST", "/emit/alert", KEY_A, "text/plain", "{\"message\":\"hi\"}",
                        400, "invalid_payload", null),
                // wrong types
                post("object for a string", "/emit/alert", KEY_A, "{\"message\":{\"t\":1}}", "message"),
                post("array for a string", "/emit/dashboard-refresh", KEY_A, "{\"scope\":[\"all\"]}", "scope"),
                post("object for an id", "/emit/notification", KEY_A, "{\"salesmanId\":{},\"message\":\"m\"}", "salesmanId"),
                post("array for an event name", "/emit/event", KEY_A, "{\"event\":[\"visit:created\"],\"data\":{}}", "event"),
                // missing fields
                post("alert without message", "/emit/alert", KEY_A, "{\"severity\":\"warning\"}", "message"),
                post("notification without salesman", "/emit/notification", KEY_A, "{\"message\":\"m\"}", "salesmanId"),
                post("notification without message", "/emit/notification", KEY_A, "{\"salesmanId\":\"bad-s1\"}", "message"),
                post("event without data", "/emit/event", KEY_A, "{\"event\":\"visit:created\"}", "data"),
                post("event without name", "/emit/event", KEY_A, "{\"data\":{}}", "event"),
                post("event to salesman without id", "/emit/event", KEY_A,
                        "{\"event\":\"visit:created\",\"data\":{},\"to\":\"salesman\"}", "salesmanId"),
                post("broadcast without event", "/broadcast", ADMIN, "{\"data\":{}}", "event"),
                post("admin alert without tenant", "/emit/alert", ADMIN, "{\"message\":\"m\"}", "tenantId"),
                // unknown fields and values
                post("unknown field", "/emit/alert", KEY_A, "{\"message\":\"m\",\"priority\":1}", "priority"),
                post("unknown severity", "/emit/alert", KEY_A, "{\"message\":\"m\",\"severity\":\"urgent\"}", "severity"),
                post("unknown target", "/emit/event", KEY_A, "{\"event\":\"visit:created\",\"data\":{},\"to\":\"all\"}", "to"),
                // unknown event names
                post("unknown domain event", "/emit/event", KEY_A, "{\"event\":\"order:deleted\",\"data\":{}}", "event"),
                post("service event as domain event", "/emit/event", KEY_A, "{\"event\":\"alert\",\"data\":{}}", "event"),
                post("socket.io event as domain event", "/emit/event", KEY_A, "{\"event\":\"disconnect\",\"data\":{}}", "event"),
                post("reserved broadcast name", "/broadcast", ADMIN, "{\"event\":\"connect\",\"data\":{}}", "event"),
                post("service broadcast name", "/broadcast", ADMIN, "{\"event\":\"notification\",\"data\":{}}", "event"),
                // ids outside [A-Za-z0-9._-]{1,64} in bodies
                post("space in salesman id", "/emit/notification", KEY_A, "{\"salesmanId\":\"bad s1\",\"message\":\"m\"}", "salesmanId"),
                post("colon in salesman id", "/emit/notification", KEY_A,
                        "{\"salesmanId\":\"bad-s1:x\",\"message\":\"m\"}", "salesmanId"),
                post("65-char salesman id", "/emit/notification", KEY_A,
                        "{\"salesmanId\":\"" + "s".repeat(65) + "\",\"message\":\"m\"}", "salesmanId"),
                post("empty tenant id", "/emit/alert", KEY_A, "{\"tenantId\":\"\",\"message\":\"m\"}", "tenantId"),
                post("room name as tenant id", "/emit/alert", ADMIN, "{\"tenantId\":\"tenant-a:managers\",\"message\":\"m\"}", "tenantId"),
                post("slash in event salesman id", "/emit/event", KEY_A,
                        "{\"event\":\"visit:created\",\"data\":{},\"to\":\"salesman\",\"salesmanId\":\"a/b\"}", "salesmanId"),
                post("unicode tenant id", "/emit/dashboard-refresh", ADMIN, "{\"tenantId\":\"tenänt\"}", "tenantId"),
                // ids outside the character set in paths, bad query values
                get("space in tenant path", "/tenants/tenant%20a/connections", 400, "invalid_payload", "tenantId"),
                get("65-char tenant path", "/tenants/" + "t".repeat(65) + "/online-salesmen", 400, "invalid_payload", "tenantId"),
                get("colon in salesman path", "/salesmen/bad-s1:x/status", 400, "invalid_payload", "salesmanId"),
                get("unicode salesman path", "/salesmen/%C3%BC/locations", 400, "invalid_payload", "salesmanId"),
                get("non-numeric limit", "/salesmen/bad-s1/locations?limit=all", 400, "invalid_payload", "limit"),
                get("limit over 10000", "/salesmen/bad-s1/locations?limit=10001", 400, "invalid_payload", "limit"),
                get("from after to", "/salesmen/bad-s1/locations?from=20&to=10", 400, "invalid_payload", "from"),
                // unknown routes
                get("unknown route under the API", "/nothing-here", 404, "not_found", null),
                get("tenant without a sub-resource", "/tenants/tenant-a", 404, "not_found", null),
                new Bad("unknown route without credential", "GET", "/nothing-here", null, null, null, 404, "not_found", null),
                new Bad("unknown emit", "POST", "/emit/everything", KEY_A, "application/json", "{}", 404, "not_found", null),
                new Bad("route outside the API", "GET", "/../../index.html", ADMIN, null, null, 404, "not_found", null));
    }

    static HttpResponse<String> send(String method, String url, String credential, String contentType,
                                     HttpRequest.BodyPublisher body) throws Exception {
        return send(HTTP, method, url, credential, contentType, body);
    }

    /**
     * Refused oversize bodies are sent on a connection of their own: the server answers before reading the body and
     * then closes that connection, which a pooled client might otherwise pick for the next request.
     */
    static HttpResponse<String> sendAlone(String method, String url, String credential, String contentType,
                                          HttpRequest.BodyPublisher body) throws Exception {
        return send(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), method, url, credential,
                contentType, body);
    }

    static HttpResponse<String> send(HttpClient client, String method, String url, String credential,
                                     String contentType, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json");
        if (credential != null) {
            b.header("Authorization", "Bearer " + credential);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The one error shape, with no internals; returns the error object. */
    static JsonNode assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(JSON.convertValue(body, java.util.Map.class).keySet()).containsExactlyInAnyOrder("success", "error");
        assertThat(body.path("success").isBoolean() && !body.path("success").asBoolean()).as(r.body()).isTrue();
        JsonNode error = body.path("error");
        assertThat(error.path("code").asText()).as(r.body()).isEqualTo(code);
        assertThat(error.path("message").asText()).as(r.body()).isNotBlank()
                .doesNotContain("Exception", "\tat ", "SQL", "SELECT", "INSERT", "org.", "java.", "com.");
        return error;
    }

    static void nothingArrivedYet() {
        for (SioClient socket : List.of(manager, salesman)) {
            for (String event : EMITTED) {
                socket.assertNone(event, Duration.ZERO);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    @Order(1)
    void badRequestGetsTheDocumentedError(Bad bad) throws Exception {
        String url = bad.path().startsWith("/../") ? "http://127.0.0.1:" + EXT.getLocalPort() + "/index.html"
                : APP.apiUrl(bad.path());
        // each on its own connection: the server may close one after refusing a body it did not read (e.g. 415)
        HttpResponse<String> r = sendAlone(bad.method(), url, bad.credential(), bad.contentType(),
                bad.body() == null ? null : HttpRequest.BodyPublishers.ofString(bad.body()));
        JsonNode error = assertError(r, bad.status(), bad.code());
        if (bad.field() == null) {
            assertThat(error.has("field")).as(r.body()).isFalse();
        } else {
            assertThat(error.path("field").asText()).as(r.body()).isEqualTo(bad.field());
        }
        if (bad.path().startsWith("/tenants/") || bad.path().startsWith("/salesmen/")) {
            if (bad.status() == 400 && bad.field().endsWith("Id")) {
                assertThat(error.path("message").asText()).isEqualTo(bad.field() + ID_RULE);
            }
        } else if (bad.status() == 400 && bad.field() != null && bad.field().endsWith("Id")
                && !bad.name().startsWith("admin") && !bad.name().contains("without") && !bad.name().contains("object")) {
            assertThat(error.path("message").asText()).isEqualTo(bad.field() + BODY_ID_RULE);
        }
        nothingArrivedYet();
    }

    @Test
    @Order(100) // after nothingWasEmittedOrStored, as the other refusals
    void numbersAndBooleansAreNotTakenForStrings() throws Exception {
        // Jackson would coerce numbers and booleans into String fields; StrictJson turns that off, so each is refused
        for (String[] c : new String[][]{
                {"/emit/alert", "{\"message\":42}", "message"},
                {"/emit/notification", "{\"salesmanId\":12345,\"message\":\"m\"}", "salesmanId"},
                {"/emit/alert", "{\"message\":\"m\",\"severity\":true}", "severity"}}) {
            HttpResponse<String> r = send("POST", APP.apiUrl(c[0]), KEY_A, "application/json",
                    HttpRequest.BodyPublishers.ofString(c[1]));
            assertThat(assertError(r, 400, "invalid_payload").path("field").asText()).as(c[1]).isEqualTo(c[2]);
        }
    }

    @Test
    @Order(101)
    void encodedSlashInAPathIdGetsTheJsonErrorShape() throws Exception {
        // Jetty refuses the ambiguous %2F itself; its error handler answers in the API's JSON shape, not an HTML page
        HttpResponse<String> r = send("GET", APP.apiUrl("/tenants/a%2Fb/connections"), ADMIN, null, null);
        assertError(r, 400, "invalid_payload");
    }

    static String oversizeNotification() {
        String body = "{\"salesmanId\":\"bad-s1\",\"message\":\"m\",\"data\":{\"pad\":\"" + "x".repeat(65 * 1024) + "\"}}";
        assertThat(body.length()).isGreaterThan(64 * 1024);
        return body;
    }

    @Test
    @Order(3)
    void oversizeBodyWithContentLengthIsPayloadTooLarge() throws Exception {
        HttpResponse<String> r = sendAlone("POST", APP.apiUrl("/emit/notification"), KEY_A, "application/json",
                HttpRequest.BodyPublishers.ofString(oversizeNotification()));
        assertThat(assertError(r, 413, "payload_too_large").has("field")).isFalse();
        HttpResponse<String> alert = sendAlone("POST", APP.apiUrl("/emit/alert"), ADMIN, "application/json",
                HttpRequest.BodyPublishers.ofString("{\"tenantId\":\"tenant-a\",\"message\":\"" + "m".repeat(70_000) + "\"}"));
        assertError(alert, 413, "payload_too_large");
        nothingArrivedYet();
    }

    @Test
    @Order(4)
    void oversizeChunkedBodyWithoutContentLengthIsPayloadTooLarge() throws Exception {
        byte[] bytes = oversizeNotification().getBytes(StandardCharsets.UTF_8);
        // a stream of unknown length: sent chunked, with no Content-Length to refuse it up front
        HttpResponse<String> r = sendAlone("POST", APP.apiUrl("/emit/notification"), KEY_A, "application/json",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));
        assertThat(assertError(r, 413, "payload_too_large").has("field")).isFalse();
        nothingArrivedYet();
    }

    @Test
    @Order(5)
    void chunkedBodyUnderTheLimitIsAccepted() throws Exception {
        // the control: the same path with a small chunked body works (and is the only thing emitted here)
        byte[] bytes = "{\"message\":\"small\",\"data\":{\"pad\":\"ok\"}}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = send("POST", APP.apiUrl("/emit/alert"), KEY_A, "application/json",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("delivered").asInt()).isEqualTo(2);
        assertThat(manager.awaitObject("alert").getString("message")).isEqualTo("small");
        assertThat(salesman.awaitObject("alert").getString("message")).isEqualTo("small");
    }

    @Test
    @Order(99)
    void nothingWasEmittedOrStored() {
        for (SioClient socket : List.of(manager, salesman)) {
            for (String event : EMITTED) {
                socket.assertNone(event, socket == manager && event.equals(EMITTED.get(0))
                        ? Duration.ofSeconds(1) : Duration.ZERO);
            }
        }
        Jdbi db = Jdbi.create("jdbc:sqlite:" + APP.sqliteFile());
        for (String table : List.of("notifications", "locations")) {
            long rows = db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Long.class).one());
            assertThat(rows).as(table).isZero();
        }
    }
}
