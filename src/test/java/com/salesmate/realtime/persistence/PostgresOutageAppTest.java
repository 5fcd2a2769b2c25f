package com.salesmate.realtime.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service on a throwaway PostgreSQL database that becomes unreachable while a salesman sends locations: the acks
 * say {@code unavailable} (never success for an unstored point), the admin health check shows the database down,
 * and both recover by themselves once the database is back. A salesman new to the service who connects meanwhile is
 * let in (his binding cannot be read nor made; he is bound on his next authentication).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class PostgresOutageAppTest {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final TestApp APP = TestApp.withDatabase(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis() - 60_000);

    @AfterEach
    void restore() throws Exception {
        PG.allowConnections(true);
    }

    private JSONObject sendLocation(SioClient salesman, long timestamp) throws Exception {
        return salesman.emitAck("location:update", new JSONObject()
                .put("latitude", 12.97).put("longitude", 77.59).put("accuracy", 8.0).put("timestamp", timestamp));
    }

    private JsonNode healthcheck() throws Exception {
        Response r = EXT.client().target(APP.adminUrl("/healthcheck")).request().get();
        String body = r.readEntity(String.class);
        return JSON.readTree(body);
    }

    /** The id stored for (s1, timestamp), or null. */
    private static String storedId(long timestamp) throws Exception {
        try (Connection c = PG.connection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT id FROM locations WHERE salesman_id = 's1' AND recorded_at = ?")) {
            s.setLong(1, timestamp);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Long.toString(r.getLong(1)) : null;
            }
        }
    }

    @Test
    void locationAcksSayUnavailableWhileTheDatabaseIsDownAndSucceedAgainOnceItIsBack() throws Exception {
        try (SioClient salesman = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-a", "s1"))) {
            long before = clock.incrementAndGet();
            JSONObject ok = sendLocation(salesman, before);
            assertThat(ok.getBoolean("success")).as(ok.toString()).isTrue();
            assertThat(storedId(before)).isEqualTo(ok.getString("id"));
            assertThat(healthcheck().path("database").path("healthy").asBoolean()).isTrue();

            PG.allowConnections(false);
            List<Long> refused = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long t = clock.incrementAndGet();
                JSONObject ack = sendLocation(salesman, t);
                assertThat(ack.getBoolean("success")).as("ack during the outage: %s", ack).isFalse();
                assertThat(ack.getJSONObject("error").getString("code")).isEqualTo("unavailable");
                assertThat(ack.toString()).doesNotContain("PSQLException").doesNotContain("INSERT");
                refused.add(t);
            }
            JsonNode down = healthcheck();
            assertThat(down.path("database").path("healthy").asBoolean()).as(down.toString()).isFalse();
            assertThat(down.path("location-writer").path("healthy").asBoolean()).as(down.toString()).isFalse();
            assertThat(salesman.isConnected()).as("the socket survives the outage").isTrue();

            PG.allowConnections(true);
            List<JSONObject> after = new ArrayList<>();
            List<Long> afterTimes = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                long t = clock.incrementAndGet();
                JSONObject ack = sendLocation(salesman, t);
                if (ack.getBoolean("success")) {
                    after.add(ack);
                    afterTimes.add(t);
                } else {
                    refused.add(t);
                }
                assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            });
            JSONObject again = sendLocation(salesman, refused.get(0));
            assertThat(again.getBoolean("success")).as("a retry of a refused point: %s", again).isTrue();
            assertThat(again.getBoolean("duplicate")).isFalse();

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode up = healthcheck();
                assertThat(up.path("database").path("healthy").asBoolean()).as(up.toString()).isTrue();
                assertThat(up.path("location-writer").path("healthy").asBoolean()).as(up.toString()).isTrue();
            });

            for (int i = 0; i < after.size(); i++) {
                assertThat(storedId(afterTimes.get(i))).isEqualTo(after.get(i).getString("id"));
            }
            assertThat(storedId(refused.get(0))).isEqualTo(again.getString("id"));
            for (long t : refused.subList(1, refused.size())) {
                assertThat(storedId(t)).as("refused point %d", t).isNull();
            }
        }
    }

    @Test
    void aNewSalesmanConnectingWhileTheDatabaseIsDownIsLetInAndBoundOnceItIsBack() throws Exception {
        String salesmanId = "s-new-during-outage";
        PG.allowConnections(false);
        // his binding goes to the binder, whose batch fails: the CONNECT is answered all the same, as before
        try (SioClient salesman = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-a", salesmanId))) {
            assertThat(salesman.isConnected()).isTrue();
        }
        assertThat(APP.meter("salesmen.bindings.failed-batches")).as("the binding was tried").isPositive();

        PG.allowConnections(true);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            try (SioClient again = SioClient.authenticated(APP.socketUrl(),
                    APP.salesmanToken("tenant-a", salesmanId))) {
                assertThat(again.isConnected()).isTrue();
            }
            assertThat(boundTenant(salesmanId)).isEqualTo("tenant-a");
        });
        // bound now: the same id in another tenant is refused
        try (SioClient other = SioClient.open(APP.socketUrl(),
                SioClient.options(APP.salesmanToken("tenant-b", salesmanId)))) {
            assertThat(other.awaitConnectError().toString()).contains("salesman id belongs to another tenant");
        }
    }

    private static String boundTenant(String salesmanId) throws Exception {
        try (Connection c = PG.connection();
             PreparedStatement s = c.prepareStatement("SELECT tenant_id FROM salesmen WHERE salesman_id = ?")) {
            s.setString(1, salesmanId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }
}
