package com.salesmate.realtime.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin health checks at start: each one healthy and saying what it checked. (The database check turning
 * unhealthy and back is shown on PostgreSQL in PostgresOutageAppTest.)
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class HealthTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    @Test
    void everyCheckIsHealthyAtStartAndSocketIoNamesItsPort() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(APP.adminUrl("/healthcheck"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode checks = new ObjectMapper().readTree(r.body());
        assertThat(checks.fieldNames()).toIterable().contains("socketio", "database", "location-writer");
        checks.fields().forEachRemaining(e ->
                assertThat(e.getValue().path("healthy").asBoolean()).as(e.getKey() + ": " + e.getValue()).isTrue());
        assertThat(checks.path("socketio").path("message").asText())
                .isEqualTo("accepting on 127.0.0.1:" + APP.socketPort());
        assertThat(checks.path("location-writer").path("message").asText()).startsWith("queue depth 0 of ");
    }

    /** A node bound to one address (not loopback's 127.0.0.1): the check probes that address, and stays green. */
    @Test
    void theSocketIoCheckProbesTheAddressTheServerIsBoundTo() throws Exception {
        TestApp bound = TestApp.create(io.dropwizard.testing.ConfigOverride.config("socketio.host", "127.0.0.2"));
        bound.extension().before();
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(bound.adminUrl("/healthcheck"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode socketio = new ObjectMapper().readTree(r.body()).path("socketio");
            assertThat(socketio.path("healthy").asBoolean()).as(r.body()).isTrue();
            assertThat(socketio.path("message").asText()).isEqualTo("accepting on 127.0.0.2:" + bound.socketPort());
            // nothing listens on 127.0.0.1 at that port: a probe of loopback would have reported it down
            try (java.net.Socket probe = new java.net.Socket()) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> probe.connect(
                        new java.net.InetSocketAddress("127.0.0.1", bound.socketPort()), 1000))
                        .isInstanceOf(java.io.IOException.class);
            }
        } finally {
            bound.extension().after();
        }
    }
}
