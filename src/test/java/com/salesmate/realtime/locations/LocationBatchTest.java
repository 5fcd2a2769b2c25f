package com.salesmate.realtime.locations;

import com.salesmate.realtime.support.StoredLocations;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static com.salesmate.realtime.support.StoredLocations.point;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code location:batch}: accounting of accepted, duplicate and rejected points, the size limit, broadcast, rate limit. */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class LocationBatchTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final Duration QUIET = Duration.ofMillis(1500);

    private final StoredLocations db = new StoredLocations(APP.sqliteFile());

    private SioClient salesman(String salesmanId) {
        return SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-a", salesmanId));
    }

    private static JSONObject batch(JSONObject... points) throws Exception {
        JSONArray array = new JSONArray();
        for (JSONObject p : points) {
            array.put(p);
        }
        return new JSONObject().put("points", array);
    }

    @Test
    void batchAccountsForAcceptedDuplicateAndRejectedPoints() throws Exception {
        long t0 = System.currentTimeMillis() - 600_000;
        try (SioClient manager = SioClient.authenticated(APP.socketUrl(), APP.managerToken("tenant-a", "boss-batch"));
             SioClient s = salesman("batch-1")) {
            JSONObject first = s.emitAck("location:update", point(10, 10, t0));
            assertThat(first.getBoolean("success")).as(first.toString()).isTrue();
            assertThat(manager.awaitObject("location:updated").getLong("timestamp")).isEqualTo(t0);

            // the newest point is first in the array: "newest" means the largest timestamp, not the last element
            JSONObject ack = s.emitAck("location:batch", batch(
                    point(10.3, 10.3, t0 + 3_000),
                    point(91, 10, t0 + 4_000),          // invalid latitude
                    point(10, 10, t0),                  // already stored
                    point(10.1, 10.1, t0 + 1_000),
                    point(10.2, 10.2, t0 + 2_000)));

            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            assertThat(ack.getInt("accepted")).as(ack.toString()).isEqualTo(3);
            assertThat(ack.getInt("duplicates")).as(ack.toString()).isEqualTo(1);
            JSONArray rejected = ack.getJSONArray("rejected");
            assertThat(rejected.length()).as(ack.toString()).isEqualTo(1);
            assertThat(rejected.getJSONObject(0).getInt("index")).isEqualTo(1);
            assertThat(rejected.getJSONObject(0).getString("code")).isEqualTo("invalid_payload");

            assertThat(db.timestamps("batch-1")).containsExactly(t0, t0 + 1_000, t0 + 2_000, t0 + 3_000);

            JSONObject seen = manager.awaitObject("location:updated");
            assertThat(seen.getString("salesmanId")).isEqualTo("batch-1");
            assertThat(seen.getLong("timestamp")).isEqualTo(t0 + 3_000);
            assertThat(seen.getDouble("latitude")).isEqualTo(10.3);
            manager.assertNone("location:updated", QUIET);
        }
    }

    @Test
    void everyInvalidPointIsReportedByIndexInOrder() throws Exception {
        long t0 = System.currentTimeMillis() - 500_000;
        try (SioClient s = salesman("batch-2")) {
            JSONObject noTimestamp = point(1, 1, 0);
            noTimestamp.remove("timestamp");
            JSONObject ack = s.emitAck("location:batch", batch(
                    point(1, 1, t0).put("heading", 361),
                    point(1, 1, t0 + 1),
                    noTimestamp,
                    point(1, 1, t0 + 3).put("salesmanId", "batch-other"),
                    point(1, -181, t0 + 4)));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            assertThat(ack.getInt("accepted")).isEqualTo(1);
            assertThat(ack.getInt("duplicates")).isZero();
            JSONArray rejected = ack.getJSONArray("rejected");
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < rejected.length(); i++) {
                indexes.add(rejected.getJSONObject(i).getInt("index"));
            }
            assertThat(indexes).containsExactly(0, 2, 3, 4);
            assertThat(rejected.getJSONObject(0).getString("code")).isEqualTo("invalid_payload");
            assertThat(rejected.getJSONObject(2).getString("code")).as("another salesman's id").isEqualTo("forbidden");
            assertThat(db.timestamps("batch-2")).containsExactly(t0 + 1);
            assertThat(db.count("batch-other")).isZero();
        }
    }

    @Test
    void batchOfOnlyDuplicatesIsNotBroadcast() throws Exception {
        long t0 = System.currentTimeMillis() - 400_000;
        try (SioClient manager = SioClient.authenticated(APP.socketUrl(), APP.managerToken("tenant-a", "boss-dup"));
             SioClient s = salesman("batch-3")) {
            JSONObject ack = s.emitAck("location:batch", batch(point(2, 2, t0), point(2, 2, t0 + 1)));
            assertThat(ack.getInt("accepted")).as(ack.toString()).isEqualTo(2);
            assertThat(manager.awaitObject("location:updated").getLong("timestamp")).isEqualTo(t0 + 1);

            JSONObject again = s.emitAck("location:batch", batch(point(2, 2, t0), point(2, 2, t0 + 1)));
            assertThat(again.getInt("accepted")).as(again.toString()).isZero();
            assertThat(again.getInt("duplicates")).isEqualTo(2);
            assertThat(again.getJSONArray("rejected").length()).isZero();
            manager.assertNone("location:updated", QUIET);
            assertThat(db.count("batch-3")).isEqualTo(2);
        }
    }

    @Test
    void moreThan500PointsIsRefusedAndNothingStored() throws Exception {
        long t0 = System.currentTimeMillis() - 3_000_000;
        try (SioClient s = salesman("batch-4")) {
            JSONArray points = new JSONArray();
            for (int i = 0; i < 501; i++) {
                points.put(point(3, 3, t0 + i));
            }
            JSONObject ack = s.emitAck("location:batch", new JSONObject().put("points", points));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isFalse();
            assertThat(ack.getJSONObject("error").getString("code")).isEqualTo("invalid_payload");
            assertThat(ack.getJSONObject("error").optString("field")).isEqualTo("points");
            assertThat(db.count("batch-4")).isZero();

            // exactly 500 is fine
            JSONArray five100 = new JSONArray();
            for (int i = 0; i < 500; i++) {
                five100.put(points.get(i));
            }
            points = five100;
            JSONObject ok = s.emitAck("location:batch", new JSONObject().put("points", points));
            assertThat(ok.getBoolean("success")).as(ok.toString()).isTrue();
            assertThat(ok.getInt("accepted")).isEqualTo(500);
            assertThat(db.count("batch-4")).isEqualTo(500);
        }
    }

    @Test
    void emptyOrMissingPointsIsInvalid() throws Exception {
        try (SioClient s = salesman("batch-5")) {
            for (JSONObject payload : List.of(new JSONObject().put("points", new JSONArray()), new JSONObject())) {
                JSONObject ack = s.emitAck("location:batch", payload);
                assertThat(ack.getBoolean("success")).as(ack.toString()).isFalse();
                assertThat(ack.getJSONObject("error").getString("code")).isEqualTo("invalid_payload");
                assertThat(ack.getJSONObject("error").optString("field")).isEqualTo("points");
            }
        }
    }

    @Test
    void aBatchCountsAsOneEventForTheRateLimit() throws Exception {
        int batches = 16;
        int perBatch = 5;
        long t0 = System.currentTimeMillis() - 2_000_000;
        try (SioClient s = salesman("batch-6")) {
            List<CompletableFuture<JSONObject>> acks = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                JSONObject[] points = new JSONObject[perBatch];
                for (int i = 0; i < perBatch; i++) {
                    points[i] = point(4, 4, t0 + b * 100L + i);
                }
                acks.add(s.emitAsync("location:batch", batch(points)));
            }
            int succeeded = 0;
            int limited = 0;
            for (CompletableFuture<JSONObject> f : acks) {
                JSONObject ack = f.get(10, TimeUnit.SECONDS);
                if (ack.getBoolean("success")) {
                    assertThat(ack.getInt("accepted")).as(ack.toString()).isEqualTo(perBatch);
                    succeeded++;
                } else {
                    assertThat(ack.getJSONObject("error").getString("code")).as(ack.toString()).isEqualTo("rate_limited");
                    limited++;
                }
            }
            // a burst of 10 events: 10 batches of 5 points pass (if each point counted, only 2 would)
            assertThat(succeeded).as("batches accepted of %d sent at once", batches).isBetween(10, 14);
            assertThat(limited).as("batches count against the limit").isPositive();
            assertThat(db.count("batch-6")).isEqualTo((long) succeeded * perBatch);
        }
    }
}
