package com.salesmate.realtime.socket;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence on one node (SPEC 4): {@code salesman:online} on the first device, {@code salesman:offline} only when the
 * last device has been gone for the grace period (1 s in the test config), with {@code at} the time it left; and
 * {@code GET /salesmen/{id}/status} agreeing.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class PresenceTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    private static final long GRACE_MS = 1000;
    /** Clock and delivery slack allowed around the instants the server reports. */
    private static final long SLACK_MS = 300;

    /** Each test has its own tenant so that late presence events of one test never reach the next one's managers. */
    private static String freshTenant() {
        return "pres-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String freshSalesman() {
        return "p-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JSONObject status(String salesmanId) throws Exception {
        Response res = APP.get("/salesmen/" + salesmanId + "/status", TestApp.ADMIN_KEY);
        String body = res.readEntity(String.class);
        assertThat(res.getStatus()).as(body).isEqualTo(200);
        return new JSONObject(body);
    }

    @Test
    void managerSeesOnlineOnTheFirstDeviceOnlyAndOfflineOnlyAfterTheLastDeviceAndTheGrace() throws Exception {
        String t = freshTenant();
        String s = freshSalesman();
        try (SioClient boss = SioClient.authenticated(APP.socketUrl(), APP.managerToken(t, "boss"))) {
            long beforeFirst = System.currentTimeMillis();
            SioClient phone = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(t, s));
            long afterFirst = System.currentTimeMillis();
            JSONObject online = boss.awaitObject("salesman:online");
            assertThat(online.getString("tenantId")).isEqualTo(t);
            assertThat(online.getString("salesmanId")).isEqualTo(s);
            assertThat(online.getLong("at")).isBetween(beforeFirst - SLACK_MS, afterFirst + SLACK_MS);

            SioClient tablet = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(t, s));
            boss.assertNone("salesman:online", Duration.ofMillis(500));

            JSONObject two = status(s);
            assertThat(two.getBoolean("online")).isTrue();
            assertThat(two.getInt("connections")).isEqualTo(2);
            assertThat(two.getString("tenantId")).isEqualTo(t);

            // one device leaves: still online, well past the grace
            phone.close();
            await().atMost(5, TimeUnit.SECONDS).until(() -> status(s).getInt("connections") == 1);
            boss.assertNone("salesman:offline", Duration.ofMillis(GRACE_MS + 700));
            assertThat(status(s).getBoolean("online")).isTrue();

            // the last device leaves: offline only after the grace, dated when it left
            long beforeLast = System.currentTimeMillis();
            tablet.close();
            await().atMost(5, TimeUnit.SECONDS).until(() -> status(s).getInt("connections") == 0);
            long afterLastGone = System.currentTimeMillis();
            JSONObject during = status(s);
            assertThat(during.getBoolean("online")).as("during the grace the salesman still counts as online").isTrue();
            boss.assertNone("salesman:offline", Duration.ofMillis(Math.max(0, beforeLast + 600 - System.currentTimeMillis())));

            JSONObject offline = (JSONObject) boss.await("salesman:offline", Duration.ofSeconds(5));
            long arrived = System.currentTimeMillis();
            assertThat(offline.getString("tenantId")).isEqualTo(t);
            assertThat(offline.getString("salesmanId")).isEqualTo(s);
            long at = offline.getLong("at");
            assertThat(at).as("offline `at` is when the last socket left").isBetween(beforeLast - SLACK_MS, afterLastGone + SLACK_MS);
            assertThat(arrived - at).as("offline arrives only after the grace").isGreaterThanOrEqualTo(GRACE_MS - 100);

            await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> {
                JSONObject after = status(s);
                assertThat(after.getBoolean("online")).isFalse();
                assertThat(after.getInt("connections")).isZero();
                assertThat(after.getLong("lastSeen")).as("lastSeen is when the last socket left").isEqualTo(at);
            });
            boss.assertNone("salesman:online", Duration.ZERO);
        }
    }

    @Test
    void reconnectingWithinTheGraceGivesNeitherOfflineNorASecondOnline() throws Exception {
        String t = freshTenant();
        String s = freshSalesman();
        try (SioClient boss = SioClient.authenticated(APP.socketUrl(), APP.managerToken(t, "boss"))) {
            SioClient first = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(t, s));
            assertThat(boss.awaitObject("salesman:online").getString("salesmanId")).isEqualTo(s);

            first.close();
            await().atMost(2, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20))
                    .until(() -> status(s).getInt("connections") == 0);
            try (SioClient again = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(t, s))) {
                boss.assertNone("salesman:offline", Duration.ofMillis(GRACE_MS + 1000));
                boss.assertNone("salesman:online", Duration.ZERO);
                JSONObject st = status(s);
                assertThat(st.getBoolean("online")).isTrue();
                assertThat(st.getInt("connections")).isEqualTo(1);
            }
            // and once it really leaves, offline comes once
            JSONObject offline = (JSONObject) boss.await("salesman:offline", Duration.ofSeconds(5));
            assertThat(offline.getString("salesmanId")).isEqualTo(s);
            boss.assertNone("salesman:offline", Duration.ofMillis(GRACE_MS + 300));
        }
    }

    @Test
    void managersOfAnotherTenantSeeNothing() throws Exception {
        String t = freshTenant();
        String s = freshSalesman();
        try (SioClient ours = SioClient.authenticated(APP.socketUrl(), APP.managerToken(t, "boss"));
             SioClient theirs = SioClient.authenticated(APP.socketUrl(), APP.managerToken(freshTenant(), "boss"));
             SioClient colleague = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(t, freshSalesman()))) {
            // colleague's own online went to `ours`; drain it
            assertThat(ours.awaitObject("salesman:online").getString("tenantId")).isEqualTo(t);
            try (SioClient device = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(t, s))) {
                assertThat(ours.awaitObject("salesman:online").getString("salesmanId")).isEqualTo(s);
            }
            assertThat(((JSONObject) ours.await("salesman:offline", Duration.ofSeconds(5))).getString("salesmanId")).isEqualTo(s);
            theirs.assertNone("salesman:online", Duration.ZERO);
            theirs.assertNone("salesman:offline", Duration.ZERO);
            colleague.assertNone("salesman:online", Duration.ZERO);
            colleague.assertNone("salesman:offline", Duration.ZERO);
        }
    }

    @Test
    void statusOfASalesmanNeverSeenIsNotFound() {
        Response res = APP.get("/salesmen/" + freshSalesman() + "/status", TestApp.ADMIN_KEY);
        assertThat(res.getStatus()).isEqualTo(404);
    }
}
