package com.salesmate.realtime.notifications;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import jakarta.ws.rs.core.Response;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A single node asks the database for pending notifications only for salesmen who may have some; what it knows of
 * them starts from the database: a notification left unacknowledged before a restart still arrives after it, and
 * one sent to a salesman who had none before arrives on his next connect.
 */
@Timeout(120)
class NotificationRestartTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static String send(TestApp app, String salesman, String message) throws Exception {
        Response r = app.post("/emit/notification", TestApp.ADMIN_KEY,
                "{\"tenantId\":\"tenant-r\",\"salesmanId\":\"" + salesman + "\",\"message\":\"" + message + "\"}");
        String text = r.readEntity(String.class);
        assertThat(r.getStatus()).as(text).isEqualTo(200);
        JsonNode body = JSON.readTree(text);
        assertThat(body.path("delivered").asInt()).isZero();
        return body.path("notificationId").asText();
    }

    @Test
    void aNotificationPendingAcrossARestartIsRedeliveredAfterIt(@TempDir Path dir) throws Exception {
        String db = "jdbc:sqlite:" + dir.resolve("restart.db");
        TestApp before = TestApp.withDatabase(db);
        before.extension().before();
        String id;
        try {
            try (SioClient quiet = SioClient.authenticated(before.socketUrl(), before.salesmanToken("tenant-r", "r-2"))) {
                quiet.assertNone("notification", Duration.ofMillis(300)); // nothing pending for him
            }
            id = send(before, "r-1", "left before the restart");
        } finally {
            before.extension().after();
        }
        TestApp after = TestApp.withDatabase(db);
        after.extension().before();
        try {
            try (SioClient s = SioClient.authenticated(after.socketUrl(), after.salesmanToken("tenant-r", "r-1"))) {
                JSONObject n = s.awaitObject("notification");
                assertThat(n.getString("id")).isEqualTo(id);
            }
            // r-2 connected before (no query found anything for him); one sent now still reaches his next connect
            String second = send(after, "r-2", "after the restart");
            try (SioClient s = SioClient.authenticated(after.socketUrl(), after.salesmanToken("tenant-r", "r-2"))) {
                assertThat(s.awaitObject("notification").getString("id")).isEqualTo(second);
            }
        } finally {
            after.extension().after();
        }
    }
}
