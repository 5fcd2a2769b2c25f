package com.salesmate.realtime.visits;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Visits from the location stream, end to end (SPEC 10): a salesman's phone streams a realistic track over Socket.IO
 * (live, and as one offline batch), the manager and the salesman get exactly arrived → checked_in → checked_out with the
 * right times, the visit is listed, a replayed batch decides nothing, and another tenant sees nothing of it.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(90)
public class VisitsEndToEndTest {
    // a phone streaming a recorded track sends faster than the test configuration's 10 events/s
    static final TestApp APP = TestApp.create(ConfigOverride.config("socketio.rateLimitPerSecond", "100"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final double LAT = 12.9716;
    static final double LON = 77.5946;
    static final double M = 1 / SiteIndex.METERS_PER_DEGREE;
    public static final List<String> EVENTS = List.of("visit:arrived", "visit:checked_in", "visit:checked_out");

    /** Every visit event a client gets, in arrival order, as [event, payload] (also used by TwoNodeVisitsTest). */
    public static BlockingQueue<Object[]> visitEvents(SioClient c) {
        BlockingQueue<Object[]> q = new LinkedBlockingQueue<>();
        for (String e : EVENTS) {
            c.socket().on(e, args -> q.add(new Object[] {e, args[0]}));
        }
        return q;
    }

    static Object[] next(BlockingQueue<Object[]> q) throws InterruptedException {
        Object[] e = q.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("a visit event within 10 s").isNotNull();
        return e;
    }

    static String fresh(String p) {
        return p + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static void putSite(String tenant, String siteId, double lat, double lon) throws Exception {
        var r = APP.request("/sites/" + siteId, TestApp.ADMIN_KEY).put(Entity.entity(
                new JSONObject().put("tenantId", tenant).put("name", "Acme Stores").put("latitude", lat)
                        .put("longitude", lon).put("radius", 100).put("dwell", 120).toString(),
                MediaType.APPLICATION_JSON_TYPE));
        assertThat(r.getStatus()).isEqualTo(200);
        r.close();
    }

    /** The track of VisitDetectorTest: approach, noise, arrival, a jump out, dwell, leave; t0 in device time. */
    static List<JSONObject> track(long t0) throws Exception {
        double[][] p = { // second, meters north, accuracy
                {0, 800, 10}, {20, 160, 10}, {30, 20, 80}, {50, 30, 12}, {60, 10, 8}, {70, 400, 9}, {80, 5, 8},
                {100, 120, 10}, {170, 10, 8}, {600, 15, 40}, {900, 300, 9}, {930, 500, 9}, {950, 20, 200},
                {960, 900, 9}};
        List<JSONObject> points = new java.util.ArrayList<>();
        for (double[] x : p) {
            points.add(new JSONObject().put("latitude", LAT + x[1] * M).put("longitude", LON).put("accuracy", x[2])
                    .put("timestamp", t0 + (long) (x[0] * 1000)));
        }
        return points;
    }

    static void assertTheVisit(BlockingQueue<Object[]> q, String salesman, long t0, String siteId) throws Exception {
        Object[] arrived = next(q);
        Object[] in = next(q);
        Object[] out = next(q);
        assertThat(List.of(arrived[0], in[0], out[0])).isEqualTo(EVENTS);
        JSONObject a = (JSONObject) arrived[1];
        JSONObject i = (JSONObject) in[1];
        JSONObject o = (JSONObject) out[1];
        assertThat(a.getString("salesmanId")).isEqualTo(salesman);
        assertThat(a.getString("siteId")).isEqualTo(siteId);
        assertThat(a.getLong("at")).isEqualTo(t0 + 50_000);
        assertThat(a.getDouble("accuracy")).isEqualTo(12.0);
        assertThat(i.getLong("at")).isEqualTo(t0 + 170_000);
        assertThat(o.getLong("at")).isEqualTo(t0 + 960_000);
        assertThat(o.getLong("duration")).isEqualTo(850_000);
        assertThat(o.getBoolean("checkedIn")).isTrue();
        assertThat(i.getString("visitId")).isEqualTo(a.getString("visitId"));
        assertThat(o.getString("visitId")).isEqualTo(a.getString("visitId"));
        assertThat(a.has("duration")).isFalse();
    }

    @Test
    void aLiveTrackMakesExactlyOneVisitForTheManagerAndTheSalesmanAndItIsListed() throws Exception {
        String tenant = fresh("vt");
        String salesman = fresh("ravi");
        String siteId = fresh("acme");
        putSite(tenant, siteId, LAT, LON);
        long t0 = System.currentTimeMillis() - 3_600_000;
        try (SioClient m = SioClient.authenticated(APP.socketUrl(), APP.managerToken(tenant, "boss"));
             SioClient f = SioClient.authenticated(APP.socketUrl(), APP.managerToken(tenant, "follower"));
             SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(tenant, salesman))) {
            // a manager who also joined the salesman's room is in both rooms the events go to: he gets each once
            JSONObject joined = f.emitAck("join:salesman", new JSONObject().put("salesmanId", salesman));
            assertThat(joined.getBoolean("success")).as(joined.toString()).isTrue();
            BlockingQueue<Object[]> manager = visitEvents(m);
            BlockingQueue<Object[]> follower = visitEvents(f);
            BlockingQueue<Object[]> own = visitEvents(s);
            for (JSONObject point : track(t0)) {
                JSONObject ack = s.emitAck("location:update", point);
                assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            }
            assertTheVisit(manager, salesman, t0, siteId);
            assertTheVisit(follower, salesman, t0, siteId); // in order, so a second copy of one fails here
            assertTheVisit(own, salesman, t0, siteId);
            assertThat(manager.poll(300, TimeUnit.MILLISECONDS)).as("nothing more").isNull();
            assertThat(follower.poll(300, TimeUnit.MILLISECONDS)).as("nothing more for the follower").isNull();
        }
        JsonNode listed = APP.getOk("/salesmen/" + salesman + "/visits?from=" + (t0 - 1), TestApp.ADMIN_KEY);
        assertThat(listed.path("count").asInt()).isEqualTo(1);
        JsonNode v = listed.path("visits").get(0);
        assertThat(v.path("siteId").asText()).isEqualTo(siteId);
        assertThat(v.path("arrivedAt").asLong()).isEqualTo(t0 + 50_000);
        assertThat(v.path("checkedInAt").asLong()).isEqualTo(t0 + 170_000);
        assertThat(v.path("leftAt").asLong()).isEqualTo(t0 + 900_000);
        assertThat(v.path("duration").asLong()).isEqualTo(850_000);
        assertThat(v.path("open").asBoolean()).isFalse();
        JsonNode bySite = APP.getOk("/sites/" + siteId + "/visits?tenantId=" + tenant + "&from=" + (t0 - 1),
                TestApp.ADMIN_KEY);
        assertThat(bySite.path("visits").get(0).path("visitId")).isEqualTo(v.path("visitId"));
        // another tenant's manager may not read them
        assertThat(APP.status("/salesmen/" + salesman + "/visits", APP.managerToken("other", "m")))
                .isEqualTo(403);
    }

    @Test
    void anOfflineBatchMakesTheSameVisitAndReplayingItDecidesNothing() throws Exception {
        String tenant = fresh("vb");
        String salesman = fresh("asha");
        String siteId = fresh("acme");
        putSite(tenant, siteId, LAT, LON);
        long t0 = System.currentTimeMillis() - 3_600_000;
        JSONObject batch = new JSONObject().put("points", new JSONArray(track(t0)));
        try (SioClient m = SioClient.authenticated(APP.socketUrl(), APP.managerToken(tenant, "boss"));
             SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(tenant, salesman))) {
            BlockingQueue<Object[]> manager = visitEvents(m);
            JSONObject ack = s.emitAck("location:batch", batch);
            assertThat(ack.getInt("accepted")).as(ack.toString()).isEqualTo(14);
            assertTheVisit(manager, salesman, t0, siteId);

            JSONObject again = s.emitAck("location:batch", batch);
            assertThat(again.getInt("duplicates")).as(again.toString()).isEqualTo(14);
            // proof that a decision would have arrived: a new arrival after the replay is the next event
            long later = t0 + 2_000_000;
            s.emitAck("location:update", new JSONObject().put("latitude", LAT).put("longitude", LON)
                    .put("accuracy", 5).put("timestamp", later));
            Object[] nextEvent = next(manager);
            assertThat(nextEvent[0]).isEqualTo("visit:arrived");
            assertThat(((JSONObject) nextEvent[1]).getLong("at")).as("not a repeat of the replayed batch")
                    .isEqualTo(later);
        }
        assertThat(APP.getOk("/sites/" + siteId + "/visits?tenantId=" + tenant + "&from=" + (t0 - 1),
                TestApp.ADMIN_KEY).path("count").asInt()).isEqualTo(2);
    }

    @Test
    void aSiteOfAnotherTenantIsNeverMatched() throws Exception {
        String mine = fresh("vm");
        String theirs = fresh("vo");
        String salesman = fresh("kiran");
        putSite(theirs, fresh("their-site"), LAT, LON); // right where he stands, but not his tenant's
        String own = fresh("own-site");
        putSite(mine, own, LAT + 0.05, LON); // his own, 5.5 km away: the positive control
        long t0 = System.currentTimeMillis() - 3_600_000;
        try (SioClient m = SioClient.authenticated(APP.socketUrl(), APP.managerToken(mine, "boss"));
             SioClient other = SioClient.authenticated(APP.socketUrl(), APP.managerToken(theirs, "boss"));
             SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(mine, salesman))) {
            BlockingQueue<Object[]> manager = visitEvents(m);
            BlockingQueue<Object[]> otherManager = visitEvents(other);
            s.emitAck("location:update", new JSONObject().put("latitude", LAT).put("longitude", LON)
                    .put("accuracy", 5).put("timestamp", t0));
            s.emitAck("location:update", new JSONObject().put("latitude", LAT + 0.05).put("longitude", LON)
                    .put("accuracy", 5).put("timestamp", t0 + 600_000));
            Object[] first = next(manager);
            assertThat(first[0]).isEqualTo("visit:arrived");
            assertThat(((JSONObject) first[1]).getString("siteId")).isEqualTo(own);
            assertThat(((JSONObject) first[1]).getLong("at")).isEqualTo(t0 + 600_000);
            assertThat(otherManager.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
        assertThat(APP.getOk("/salesmen/" + salesman + "/visits?from=" + (t0 - 1), TestApp.ADMIN_KEY)
                .path("count").asInt()).isEqualTo(1);
    }

}
