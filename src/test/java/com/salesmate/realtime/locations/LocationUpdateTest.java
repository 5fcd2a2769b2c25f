package com.salesmate.realtime.locations;

import com.salesmate.realtime.support.StoredLocations;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static com.salesmate.realtime.support.StoredLocations.point;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code location:update} end to end: real Socket.IO client, the real service, its SQLite file read with JDBC. */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class LocationUpdateTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final Duration QUIET = Duration.ofMillis(1500);

    private final StoredLocations db = new StoredLocations(APP.sqliteFile());

    private SioClient salesman(String tenant, String salesmanId) {
        return SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(tenant, salesmanId));
    }

    private SioClient manager(String tenant, String userId) {
        return SioClient.authenticated(APP.socketUrl(), APP.managerToken(tenant, userId));
    }

    @Test
    void rowIsCommittedByTheTimeItsAckArrives() throws Exception {
        long ts = System.currentTimeMillis() - 1_000;
        try (SioClient s = salesman("tenant-a", "commit-1")) {
            long before = System.currentTimeMillis();
            JSONObject ack = s.emitAck("location:update", point(12.9716, 77.5946, ts)
                    .put("accuracy", 5.5).put("speed", 1.25).put("heading", 270).put("altitude", 920.0)
                    .put("battery", 81));
            long after = System.currentTimeMillis();
            // read the file right away, before anything else can happen
            var row = db.byId(ack.optString("id", "0"));

            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            assertThat(ack.get("id")).isInstanceOf(String.class);
            assertThat(ack.get("receivedAt")).isInstanceOf(Number.class);
            assertThat(ack.getLong("receivedAt")).isBetween(before, after);
            assertThat(ack.getBoolean("duplicate")).isFalse();
            assertThat(row).as("row %s committed when its ack arrived", ack.getString("id")).isPresent();
            Map<String, Object> r = row.orElseThrow();
            assertThat(r.get("tenant_id")).isEqualTo("tenant-a");
            assertThat(r.get("salesman_id")).isEqualTo("commit-1");
            assertThat(((Number) r.get("latitude")).doubleValue()).isEqualTo(12.9716);
            assertThat(((Number) r.get("longitude")).doubleValue()).isEqualTo(77.5946);
            assertThat(((Number) r.get("accuracy")).doubleValue()).isEqualTo(5.5);
            assertThat(((Number) r.get("speed")).doubleValue()).isEqualTo(1.25);
            assertThat(((Number) r.get("heading")).doubleValue()).isEqualTo(270.0);
            assertThat(((Number) r.get("altitude")).doubleValue()).isEqualTo(920.0);
            assertThat(((Number) r.get("battery")).doubleValue()).isEqualTo(81.0);
            assertThat(((Number) r.get("recorded_at")).longValue()).isEqualTo(ts);
            assertThat(((Number) r.get("received_at")).longValue()).isEqualTo(ack.getLong("receivedAt"));
        }
    }

    @Test
    void everyAckOfAStreamFindsItsRow() throws Exception {
        long base = System.currentTimeMillis() - 60_000;
        try (SioClient s = salesman("tenant-a", "commit-2")) {
            for (int i = 0; i < 8; i++) {
                JSONObject ack = s.emitAck("location:update", point(10 + i * 0.001, 20, base + i));
                assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
                assertThat(db.byId(ack.getString("id"))).as("row of ack %d", i).isPresent();
            }
        }
    }

    @Test
    void retryWithTheSameTimestampIsADuplicateWithTheFirstId() throws Exception {
        long ts = System.currentTimeMillis() - 5_000;
        try (SioClient s = salesman("tenant-a", "retry-1")) {
            JSONObject first = s.emitAck("location:update", point(1.5, 2.5, ts));
            assertThat(first.getBoolean("success")).as(first.toString()).isTrue();
            assertThat(first.getBoolean("duplicate")).isFalse();

            // a retry (even with slightly different coordinates, as a re-sent GPS fix may have) is the same point
            JSONObject retry = s.emitAck("location:update", point(1.5001, 2.5, ts));
            assertThat(retry.getBoolean("success")).as(retry.toString()).isTrue();
            assertThat(retry.getBoolean("duplicate")).isTrue();
            assertThat(retry.getString("id")).isEqualTo(first.getString("id"));

            assertThat(db.timestamps("retry-1")).containsExactly(ts);
            assertThat(((Number) db.byId(first.getString("id")).orElseThrow().get("latitude")).doubleValue())
                    .as("the first write is kept").isEqualTo(1.5);
        }
        // a second device of the same salesman retrying the point gets the same answer
        try (SioClient other = salesman("tenant-a", "retry-1")) {
            JSONObject again = other.emitAck("location:update", point(1.5, 2.5, ts));
            assertThat(again.getBoolean("duplicate")).as(again.toString()).isTrue();
            assertThat(db.timestamps("retry-1")).containsExactly(ts);
        }
    }

    @Test
    void invalidLocationsAreRefusedWithTheFailingFieldAndNotStored() throws Exception {
        long now = System.currentTimeMillis();
        try (SioClient s = salesman("tenant-a", "invalid-1")) {
            assertInvalid(s, point(91, 10, now), "latitude");
            assertInvalid(s, point(-91, 10, now - 1), "latitude");
            assertInvalid(s, point(10, -181, now - 2), "longitude");
            assertInvalid(s, point(10, 10, now - 3).put("accuracy", -1), "accuracy");
            assertInvalid(s, point(10, 10, now - 4).put("speed", -1), "speed");
            assertInvalid(s, point(10, 10, now - 5).put("heading", 361), "heading");
            assertInvalid(s, point(10, 10, now + Duration.ofMinutes(10).toMillis()), "timestamp");
            JSONObject missing = point(10, 10, 0);
            missing.remove("timestamp");
            assertInvalid(s, missing, "timestamp");
        }
        assertThat(db.count("invalid-1")).isZero();
    }

    @Test
    void boundaryValuesAreAccepted() throws Exception {
        long now = System.currentTimeMillis();
        try (SioClient s = salesman("tenant-a", "bounds-1")) {
            assertStored(s, point(90, 180, now - 10).put("accuracy", 0).put("speed", 0).put("heading", 360));
            assertStored(s, point(-90, -180, now - 20).put("heading", 0));
            assertStored(s, point(0, 0, now + Duration.ofMinutes(4).toMillis()));
        }
        assertThat(db.count("bounds-1")).isEqualTo(3);
    }

    @Test
    void anotherSalesmansIdIsForbiddenAndNotStored() throws Exception {
        long ts = System.currentTimeMillis() - 3_000;
        try (SioClient s = salesman("tenant-a", "own-1")) {
            JSONObject ack = s.emitAck("location:update", point(5, 5, ts).put("salesmanId", "own-2"));
            assertError(ack, "forbidden");
            JSONObject own = s.emitAck("location:update", point(5, 5, ts + 1).put("salesmanId", "own-1"));
            assertThat(own.getBoolean("success")).as("its own id is fine: " + own).isTrue();
        }
        assertThat(db.count("own-2")).isZero();
        assertThat(db.timestamps("own-1")).containsExactly(ts + 1);
    }

    @Test
    void managerSendingALocationIsForbidden() throws Exception {
        try (SioClient m = manager("tenant-a", "boss-forbidden")) {
            JSONObject ack = m.emitAck("location:update", point(5, 5, System.currentTimeMillis()));
            assertError(ack, "forbidden");
        }
    }

    @Test
    void burstBeyondTheRateLimitIsRefusedAndOnlyAcceptedUpdatesAreStored() throws Exception {
        int burst = 30;
        long base = System.currentTimeMillis() - 120_000;
        try (SioClient s = salesman("tenant-a", "burst-1")) {
            List<CompletableFuture<JSONObject>> acks = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                acks.add(s.emitAsync("location:update", point(3, 4, base + i)));
            }
            List<Long> accepted = new ArrayList<>();
            List<Long> limited = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                JSONObject ack = acks.get(i).get(10, TimeUnit.SECONDS);
                if (ack.getBoolean("success")) {
                    accepted.add(base + i);
                } else {
                    assertThat(ack.getJSONObject("error").getString("code")).as(ack.toString()).isEqualTo("rate_limited");
                    limited.add(base + i);
                }
            }
            // burst of 10 is available at once; the refill (10/s) may add a few while the burst is read
            assertThat(accepted).as("accepted of %d sent at once", burst).hasSizeBetween(10, 20);
            assertThat(limited).as("rate limited of %d sent at once", burst).isNotEmpty();
            assertThat(db.timestamps("burst-1")).containsExactlyElementsOf(accepted);
        }
    }

    @Test
    void locationsReachOnlyTheTenantsManagers() throws Exception {
        long ts = System.currentTimeMillis() - 2_000;
        try (SioClient managerA = manager("tenant-a", "boss-a");
             SioClient managerB = manager("tenant-b", "boss-b");
             SioClient colleague = salesman("tenant-a", "privacy-2");
             SioClient sender = salesman("tenant-a", "privacy-1")) {
            JSONObject ack = sender.emitAck("location:update", point(48.8584, 2.2945, ts)
                    .put("accuracy", 3).put("speed", 0.5).put("heading", 90));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();

            JSONObject seen = managerA.awaitObject("location:updated");
            assertThat(seen.getString("tenantId")).isEqualTo("tenant-a");
            assertThat(seen.getString("salesmanId")).isEqualTo("privacy-1");
            assertThat(seen.getDouble("latitude")).isEqualTo(48.8584);
            assertThat(seen.getDouble("longitude")).isEqualTo(2.2945);
            assertThat(seen.getDouble("accuracy")).isEqualTo(3.0);
            assertThat(seen.getDouble("speed")).isEqualTo(0.5);
            assertThat(seen.getDouble("heading")).isEqualTo(90.0);
            assertThat(seen.getLong("timestamp")).isEqualTo(ts);
            assertThat(seen.getLong("receivedAt")).isEqualTo(ack.getLong("receivedAt"));

            colleague.assertNone("location:updated", QUIET);
            managerB.assertNone("location:updated", Duration.ZERO);
            sender.assertNone("location:updated", Duration.ZERO);

            // the colleague's own location goes to the managers, never to the first salesman
            JSONObject other = colleague.emitAck("location:update", point(1, 1, ts));
            assertThat(other.getBoolean("success")).as(other.toString()).isTrue();
            assertThat(managerA.awaitObject("location:updated").getString("salesmanId")).isEqualTo("privacy-2");
            sender.assertNone("location:updated", QUIET);
            managerB.assertNone("location:updated", Duration.ZERO);
        }
    }

    @Test
    void rejectedUpdatesAreNotBroadcast() throws Exception {
        long ts = System.currentTimeMillis() - 2_000;
        try (SioClient managerA = manager("tenant-a", "boss-quiet");
             SioClient sender = salesman("tenant-a", "quiet-1")) {
            assertInvalid(sender, point(95, 1, ts), "latitude");
            assertError(sender.emitAck("location:update", point(5, 5, ts).put("salesmanId", "quiet-2")), "forbidden");
            managerA.assertNone("location:updated", QUIET);
        }
    }

    private static void assertInvalid(SioClient s, JSONObject payload, String field) throws Exception {
        JSONObject ack = s.emitAck("location:update", payload);
        assertError(ack, "invalid_payload");
        assertThat(ack.getJSONObject("error").optString("field")).as("field of %s", payload).isEqualTo(field);
    }

    private static void assertError(JSONObject ack, String code) throws Exception {
        assertThat(ack.getBoolean("success")).as(ack.toString()).isFalse();
        assertThat(ack.getJSONObject("error").getString("code")).as(ack.toString()).isEqualTo(code);
        assertThat(ack.getJSONObject("error").getString("message")).isNotBlank();
    }

    private void assertStored(SioClient s, JSONObject payload) throws Exception {
        JSONObject ack = s.emitAck("location:update", payload);
        assertThat(ack.getBoolean("success")).as("%s -> %s", payload, ack).isTrue();
        assertThat(db.byId(ack.getString("id"))).isPresent();
    }
}
