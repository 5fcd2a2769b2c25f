package com.salesmate.realtime.notifications;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Durable notifications end to end: {@code POST /emit/notification} stores and delivers to every socket of the
 * salesman, unacknowledged ones come again on the next authentication, {@code notification:ack} ends that, and only
 * the salesman it belongs to may acknowledge.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class NotificationTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final Duration QUIET = Duration.ofMillis(1500);

    private static SioClient salesman(String tenant, String salesmanId, String... transports) {
        return SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(tenant, salesmanId), transports);
    }

    /** Posts a notification with the admin key; answers the response body. */
    private static JSONObject notify(String tenant, String salesmanId, String title, String message) throws Exception {
        JSONObject body = new JSONObject()
                .put("tenantId", tenant).put("salesmanId", salesmanId)
                .put("title", title).put("message", message).put("type", "task")
                .put("data", new JSONObject().put("visitId", "v-42").put("priority", 2));
        try (Response r = APP.post("/emit/notification", TestApp.ADMIN_KEY, body.toString())) {
            String text = r.readEntity(String.class);
            assertThat(r.getStatus()).as(text).isEqualTo(200);
            JSONObject answer = new JSONObject(text);
            assertThat(answer.getBoolean("success")).as(text).isTrue();
            assertThat(answer.getString("notificationId")).isNotBlank();
            return answer;
        }
    }

    @Test
    void notificationReachesBothDevicesOfTheSalesmanOnly() throws Exception {
        try (SioClient phone = salesman("tenant-a", "n-both", "websocket");
             SioClient tablet = salesman("tenant-a", "n-both", "polling");
             SioClient colleague = salesman("tenant-a", "n-colleague");
             SioClient otherTenant = salesman("tenant-b", "n-other-tenant")) {
            long before = System.currentTimeMillis();
            JSONObject sent = notify("tenant-a", "n-both", "New visit", "Visit ACME at 10:00");
            long after = System.currentTimeMillis();
            assertThat(sent.getInt("delivered")).isEqualTo(2);
            String id = sent.getString("notificationId");

            for (SioClient device : new SioClient[]{phone, tablet}) {
                JSONObject n = device.awaitObject("notification");
                assertThat(n.getString("id")).isEqualTo(id);
                assertThat(n.getString("title")).isEqualTo("New visit");
                assertThat(n.getString("message")).isEqualTo("Visit ACME at 10:00");
                assertThat(n.getString("type")).isEqualTo("task");
                assertThat(n.getJSONObject("data").getString("visitId")).isEqualTo("v-42");
                assertThat(n.getJSONObject("data").getInt("priority")).isEqualTo(2);
                assertThat(n.getLong("createdAt")).isBetween(before, after);
            }
            colleague.assertNone("notification", QUIET);
            otherTenant.assertNone("notification", Duration.ZERO);
            phone.assertNone("notification", Duration.ZERO);

            JSONObject ack = tablet.emitAck("notification:ack", new JSONObject().put("id", id));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            assertThat(ack.getString("id")).isEqualTo(id);
        }
    }

    @Test
    void notificationSentWhileOfflineArrivesWhenTheSalesmanAuthenticates() throws Exception {
        JSONObject sent = notify("tenant-a", "n-offline", "Reminder", "Submit your report");
        assertThat(sent.getInt("delivered")).isZero();

        // the event way of authenticating (existing clients) also gets what is pending
        try (SioClient s = SioClient.anonymous(APP.socketUrl())) {
            s.assertNone("notification", Duration.ofMillis(300));
            JSONObject auth = s.emitAck("authenticate",
                    new JSONObject().put("token", APP.salesmanToken("tenant-a", "n-offline")));
            assertThat(auth.getBoolean("success")).as(auth.toString()).isTrue();
            JSONObject n = s.awaitObject("notification");
            assertThat(n.getString("id")).isEqualTo(sent.getString("notificationId"));
            assertThat(n.getString("message")).isEqualTo("Submit your report");
            assertThat(n.getString("title")).isEqualTo("Reminder");
        }
    }

    @Test
    void unacknowledgedNotificationIsRedeliveredOnEveryReconnectUntilAcked() throws Exception {
        String id;
        try (SioClient s = salesman("tenant-a", "n-redeliver")) {
            JSONObject sent = notify("tenant-a", "n-redeliver", "T", "Call the office");
            assertThat(sent.getInt("delivered")).isEqualTo(1);
            id = sent.getString("notificationId");
            assertThat(s.awaitObject("notification").getString("id")).isEqualTo(id);
        }
        for (int reconnect = 0; reconnect < 2; reconnect++) {
            try (SioClient s = salesman("tenant-a", "n-redeliver")) {
                assertThat(s.awaitObject("notification").getString("id")).as("reconnect %d", reconnect).isEqualTo(id);
                s.assertNone("notification", Duration.ofMillis(300)); // once per authentication, not repeatedly
            }
        }
        try (SioClient s = salesman("tenant-a", "n-redeliver")) {
            assertThat(s.awaitObject("notification").getString("id")).isEqualTo(id);
            JSONObject ack = s.emitAck("notification:ack", new JSONObject().put("id", id));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            // acknowledging again is harmless
            assertThat(s.emitAck("notification:ack", new JSONObject().put("id", id)).getBoolean("success")).isTrue();
        }
        for (int reconnect = 0; reconnect < 2; reconnect++) {
            try (SioClient s = salesman("tenant-a", "n-redeliver")) {
                s.assertNone("notification", QUIET);
            }
        }
    }

    @Test
    void onlyUnacknowledgedOnesComeAgainInTheOrderTheyWereSent() throws Exception {
        String first = notify("tenant-a", "n-order", "1", "first").getString("notificationId");
        String second = notify("tenant-a", "n-order", "2", "second").getString("notificationId");
        String third = notify("tenant-a", "n-order", "3", "third").getString("notificationId");
        try (SioClient s = salesman("tenant-a", "n-order")) {
            assertThat(s.awaitObject("notification").getString("id")).isEqualTo(first);
            assertThat(s.awaitObject("notification").getString("id")).isEqualTo(second);
            assertThat(s.awaitObject("notification").getString("id")).isEqualTo(third);
            assertThat(s.emitAck("notification:ack", new JSONObject().put("id", second)).getBoolean("success")).isTrue();
        }
        try (SioClient s = salesman("tenant-a", "n-order")) {
            assertThat(s.awaitObject("notification").getString("id")).isEqualTo(first);
            assertThat(s.awaitObject("notification").getString("id")).isEqualTo(third);
            s.assertNone("notification", QUIET);
        }
    }

    @Test
    void anotherSalesmanCannotAcknowledgeItAndTheOwnerStillGetsIt() throws Exception {
        String id = notify("tenant-a", "n-owner", "T", "Only for the owner").getString("notificationId");
        try (SioClient colleague = salesman("tenant-a", "n-thief");
             SioClient foreign = salesman("tenant-b", "n-foreign-thief")) {
            assertForbidden(colleague.emitAck("notification:ack", new JSONObject().put("id", id)));
            assertForbidden(foreign.emitAck("notification:ack", new JSONObject().put("id", id)));
        }
        try (SioClient owner = salesman("tenant-a", "n-owner")) {
            assertThat(owner.awaitObject("notification").getString("id")).isEqualTo(id);
        }
    }

    @Test
    void managerCannotAcknowledgeANotification() throws Exception {
        String id = notify("tenant-a", "n-managed", "T", "For the salesman").getString("notificationId");
        try (SioClient manager = SioClient.authenticated(APP.socketUrl(), APP.managerToken("tenant-a", "boss-n"))) {
            assertForbidden(manager.emitAck("notification:ack", new JSONObject().put("id", id)));
        }
        try (SioClient owner = salesman("tenant-a", "n-managed")) {
            assertThat(owner.awaitObject("notification").getString("id")).isEqualTo(id);
        }
    }

    @Test
    void ackOfAnUnknownIdIsForbiddenAndAMissingIdInvalid() throws Exception {
        try (SioClient s = salesman("tenant-a", "n-unknown")) {
            assertForbidden(s.emitAck("notification:ack", new JSONObject().put("id", "no-such-notification")));
            JSONObject missing = s.emitAck("notification:ack", new JSONObject());
            assertThat(missing.getBoolean("success")).as(missing.toString()).isFalse();
            assertThat(missing.getJSONObject("error").getString("code")).isEqualTo("invalid_payload");
            assertThat(missing.getJSONObject("error").optString("field")).isEqualTo("id");
        }
    }

    private static void assertForbidden(JSONObject ack) throws Exception {
        assertThat(ack.getBoolean("success")).as(ack.toString()).isFalse();
        assertThat(ack.getJSONObject("error").getString("code")).as(ack.toString()).isEqualTo("forbidden");
    }
}
