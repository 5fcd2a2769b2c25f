package com.salesmate.realtime.ops;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The socket metrics move exactly as a scripted session drives them, in the registry, /stats and /prometheus. */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class MetricsTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    private static final Pattern SAMPLE = Pattern.compile(
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?[0-9.]+(?:[eE][-+]?[0-9]+)?|NaN|[+-]Inf)$");

    private long meter(String name) {
        var m = EXT.getEnvironment().metrics().getMeters().get(name);
        return m == null ? 0 : m.getCount();
    }

    private Object gauge(String name) {
        return EXT.getEnvironment().metrics().getGauges().get(name).getValue();
    }

    @Test
    void scriptedSessionMovesTheSocketMetricsExactly() throws Exception {
        String[] names = {"socketio.connections.connects", "socketio.connections.connects.websocket",
                "socketio.connections.disconnects", "socketio.messages.received",
                "socketio.messages.received.authenticate", "socketio.messages.received.typing",
                "socketio.messages.received.join_tenant", "socketio.messages.sent",
                "socketio.messages.sent.authenticated", "socketio.rate-limited",
                "socketio.auth.failures.invalid_token"};
        Map<String, Long> before = new HashMap<>();
        for (String n : names) {
            before.put(n, meter(n));
        }

        // a bad token: one connect, one authenticate received, one failure, one auth:error sent
        try (SioClient bad = SioClient.anonymous(APP.socketUrl())) {
            JSONObject nack = bad.emitAck("authenticate", new JSONObject().put("token", "not-a-jwt"));
            assertThat(nack.getJSONObject("error").getString("code")).isEqualTo("invalid_token");
            bad.awaitDisconnected();
        }

        int rateLimited = 0;
        int typingSent = 0;
        try (SioClient manager = SioClient.anonymous(APP.socketUrl())) {
            JSONObject ok = manager.emitAck("authenticate",
                    new JSONObject().put("token", APP.managerToken("tenant-m", "boss")));
            assertThat(ok.getBoolean("success")).isTrue();
            assertThat(manager.emitAck("join:tenant", new JSONObject().put("tenantId", "tenant-m"))
                    .getBoolean("success")).isTrue();
            assertThat(gauge("socketio.connections.active")).isEqualTo(1);
            assertThat(gauge("socketio.tenants.online")).isEqualTo(1);
            // a burst beyond the bucket (10/s, burst 10): the excess is refused and counted
            var acks = new java.util.ArrayList<java.util.concurrent.CompletableFuture<JSONObject>>();
            for (int i = 0; i < 25; i++) {
                acks.add(manager.emitAsync("typing", new JSONObject().put("to", "managers")));
                typingSent++;
            }
            for (var a : acks) {
                JSONObject ack = a.get(10, java.util.concurrent.TimeUnit.SECONDS);
                if (!ack.getBoolean("success")) {
                    assertThat(ack.getJSONObject("error").getString("code")).isEqualTo("rate_limited");
                    rateLimited++;
                }
            }
            assertThat(rateLimited).isGreaterThan(0);
        }
        await().until(() -> meter("socketio.connections.disconnects") - before.get("socketio.connections.disconnects") == 2);

        Map<String, Long> delta = new HashMap<>();
        for (String n : names) {
            delta.put(n, meter(n) - before.get(n));
        }
        assertThat(delta.get("socketio.connections.connects")).isEqualTo(2);
        assertThat(delta.get("socketio.connections.connects.websocket")).isEqualTo(2);
        assertThat(delta.get("socketio.messages.received.authenticate")).isEqualTo(2);
        assertThat(delta.get("socketio.messages.received.join_tenant")).isEqualTo(1);
        assertThat(delta.get("socketio.messages.received.typing")).isEqualTo(typingSent);
        assertThat(delta.get("socketio.messages.received")).isEqualTo(2 + 1 + typingSent);
        assertThat(delta.get("socketio.auth.failures.invalid_token")).isEqualTo(1);
        assertThat(delta.get("socketio.rate-limited")).isEqualTo(rateLimited);
        // sent: auth:error to the bad socket, authenticated to the manager; typing goes to no one else
        assertThat(delta.get("socketio.messages.sent.authenticated")).isEqualTo(1);
        assertThat(delta.get("socketio.messages.sent")).isEqualTo(2);
        assertThat(gauge("socketio.connections.active")).isEqualTo(0);

        // /stats (admin) reads the same registry
        JsonNode stats = new ObjectMapper().readTree(APP.get("/stats", TestApp.ADMIN_KEY).readEntity(String.class))
                .get("stats");
        MetricRegistry registry = EXT.getEnvironment().metrics();
        assertThat(stats.get("messagesReceived").asLong()).isEqualTo(registry.meter("socketio.messages.received").getCount());
        assertThat(stats.get("messagesSent").asLong()).isEqualTo(registry.meter("socketio.messages.sent").getCount());
        assertThat(stats.get("totalConnections").asLong()).isEqualTo(registry.meter("socketio.connections.connects").getCount());

        // /prometheus parses as text exposition and carries the same figures
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(APP.adminUrl("/prometheus"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> samples = new HashMap<>(); // name and labels as written
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("prometheus line: %s", line).isTrue();
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)),
                    Double.parseDouble(m.group(3).replace("+Inf", "Infinity")));
        }
        assertThat(samples.get("socketio_messages_received_total"))
                .isEqualTo((double) registry.meter("socketio.messages.received").getCount());
        assertThat(samples.get("socketio_events_received_total{event=\"typing\"}"))
                .isEqualTo((double) delta.get("socketio.messages.received.typing")
                        + before.get("socketio.messages.received.typing"));
        assertThat(samples.get("socketio_rate_limited_total")).isEqualTo((double) meter("socketio.rate-limited"));
        assertThat(samples).containsKeys("socketio_connections_active", "locations_writer_queue_depth",
                "socketio_auth_failures_total{code=\"invalid_token\"}");
    }
}
