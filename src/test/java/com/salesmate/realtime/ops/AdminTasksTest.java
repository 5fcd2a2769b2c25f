package com.salesmate.realtime.ops;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
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
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin port's disconnect task closes exactly the sockets it names. */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class AdminTasksTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    private static HttpResponse<String> task(String query) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(APP.adminUrl("/tasks/disconnect?" + query)))
                .header("Authorization", "Bearer " + TestApp.ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The server still holds this socket's session: it answers an event (a closed session answers nothing). The task
     * answers after its disconnects, so no wait is needed; the test's other sockets prove a disconnect is seen.
     */
    private static void assertStillServed(SioClient socket) throws Exception {
        org.json.JSONObject ack = socket.emitAck("notification:ack", new org.json.JSONObject().put("id", "none"));
        assertThat(ack.has("success")).as(ack.toString()).isTrue();
        assertThat(socket.isDisconnected()).isFalse();
    }

    private static HttpResponse<String> taskWith(String authorization, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(APP.adminUrl(path)))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyTaskNeedsTheAdminKeyAndARefusalDoesNothing() throws Exception {
        try (SioClient phone = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-k", "sk-1"))) {
            for (String credential : new String[]{null, "Bearer ", "Bearer wrong-key-0123456789",
                    "Bearer " + TestApp.TENANT_A_KEY, "Basic " + TestApp.ADMIN_KEY,
                    "Bearer " + APP.managerToken("tenant-k", "boss")}) {
                HttpResponse<String> refused = taskWith(credential, "/tasks/disconnect?tenantId=tenant-k&revokeFor=3650d");
                assertThat(refused.statusCode()).as("%s: %s", credential, refused.body()).isEqualTo(401);
                assertThat(refused.body())
                        .isEqualTo("{\"code\":401,\"message\":\"admin tasks need Authorization: Bearer <admin key>\"}");
                assertStillServed(phone);
            }
            // Dropwizard's own tasks too
            assertThat(taskWith(null, "/tasks/gc").statusCode()).isEqualTo(401);
            assertThat(taskWith(null, "/tasks/log-level?logger=ROOT&level=OFF").statusCode()).isEqualTo(401);
            // probes and scrapers stay open
            for (String open : new String[]{"/ping", "/healthcheck", "/metrics", "/prometheus"}) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(APP.adminUrl(open))).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(open).isEqualTo(200);
            }
            // and with the key the same task does disconnect (the refusals above would have, had they run)
            HttpResponse<String> done = task("tenantId=tenant-k");
            assertThat(done.statusCode()).isEqualTo(200);
            assertThat(done.body()).contains("disconnected 1 sockets of tenant tenant-k");
            phone.awaitDisconnected();
        }
        // no revocation was stored by the refused calls
        try (SioClient again = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-k", "sk-1"))) {
            assertThat(again.isConnected()).isTrue();
        }
    }

    @Test
    void disconnectingASalesmanClosesAllHisDevicesAndNothingElse() throws Exception {
        try (SioClient phone = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-x", "sx-1"));
             SioClient tablet = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-x", "sx-1"), "polling");
             SioClient colleague = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-x", "sx-2"));
             SioClient manager = SioClient.authenticated(APP.socketUrl(), APP.managerToken("tenant-x", "mx"))) {
            HttpResponse<String> answer = task("salesmanId=sx-1");
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("disconnected 2 sockets of salesman sx-1");
            phone.awaitDisconnected();
            tablet.awaitDisconnected();
            assertStillServed(colleague);
            assertThat(manager.isDisconnected()).isFalse();
        }
    }

    @Test
    void disconnectingATenantClosesOnlyThatTenantsSockets() throws Exception {
        try (SioClient a1 = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-y", "sy-1"));
             SioClient a2 = SioClient.authenticated(APP.socketUrl(), APP.managerToken("tenant-y", "my"));
             SioClient other = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-z", "sz-1"))) {
            HttpResponse<String> answer = task("tenantId=tenant-y");
            assertThat(answer.body()).contains("disconnected 2 sockets of tenant tenant-y");
            a1.awaitDisconnected();
            a2.awaitDisconnected();
            assertStillServed(other);
        }
    }

    @Test
    void refusesAmbiguousOrMalformedTargets() throws Exception {
        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-w", "sw-1"))) {
            assertThat(task("").body()).contains("give exactly one of salesmanId or tenantId");
            assertThat(task("salesmanId=sw-1&tenantId=tenant-w").body()).contains("give exactly one");
            assertThat(task("tenantId=a:b").body()).contains("ids must match");
            assertStillServed(s);
        }
    }

    @Test
    void revokingASalesmanRefusesHisTokensUntilTheBoundButNoOneElses() throws Exception {
        String token = APP.salesmanToken("tenant-r", "sr-1");
        try (SioClient phone = SioClient.authenticated(APP.socketUrl(), token)) {
            HttpResponse<String> answer = task("salesmanId=sr-1&revokeFor=1h");
            assertThat(answer.body()).contains("tokens of salesman sr-1 refused until")
                    .contains("disconnected 1 sockets of salesman sr-1");
            phone.awaitDisconnected();
        }
        try (SioClient again = SioClient.anonymous(APP.socketUrl())) {
            org.json.JSONObject nack = again.emitAck("authenticate", new org.json.JSONObject().put("token", token));
            assertThat(nack.getBoolean("success")).isFalse();
            assertThat(nack.getJSONObject("error").getString("code")).isEqualTo("invalid_token");
            assertThat(nack.getJSONObject("error").getString("message")).contains("revoked");
        }
        try (SioClient colleague = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-r", "sr-2"))) {
            assertThat(colleague.isConnected()).isTrue();
        }
        assertThat(APP.get("/stats", APP.managerToken("tenant-r", "boss-r")).getStatus()).isEqualTo(200);
    }

    @Test
    void revokingATenantRefusesItsSocketsItsManagersAndItsApiKey() throws Exception {
        try (SioClient manager = SioClient.authenticated(APP.socketUrl(), APP.managerToken("tenant-b", "boss-b"))) {
            assertThat(task("tenantId=tenant-b&revokeFor=30m").body()).contains("tokens of tenant tenant-b refused until");
            manager.awaitDisconnected();
        }
        Object refused;
        try (SioClient retry = SioClient.open(APP.socketUrl(),
                SioClient.options(APP.salesmanToken("tenant-b", "sb-1")))) {
            refused = retry.awaitConnectError();
        }
        assertThat(refused.toString()).contains("invalid_token");
        assertThat(APP.get("/stats", APP.managerToken("tenant-b", "boss-b")).getStatus()).isEqualTo(401);
        assertThat(APP.get("/stats", TestApp.TENANT_B_KEY).getStatus()).isEqualTo(401);
        assertThat(APP.get("/stats", TestApp.TENANT_A_KEY).getStatus()).isEqualTo(200);
        assertThat(APP.get("/stats", TestApp.ADMIN_KEY).getStatus()).isEqualTo(200);
    }

    @Test
    void aMalformedRevocationChangesNothing() throws Exception {
        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-v", "sv-1"))) {
            assertThat(task("salesmanId=sv-1&revokeFor=soon").body()).contains("revokeFor must be a duration");
            assertStillServed(s);
        }
        try (SioClient s2 = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-v", "sv-1"))) {
            assertThat(s2.isConnected()).isTrue();
        }
    }
}
