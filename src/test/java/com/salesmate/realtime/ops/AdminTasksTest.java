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
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
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
            colleague.assertNone("any", Duration.ofMillis(500));
            assertThat(colleague.isDisconnected()).isFalse();
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
            other.assertNone("any", Duration.ofMillis(500));
            assertThat(other.isDisconnected()).isFalse();
        }
    }

    @Test
    void refusesAmbiguousOrMalformedTargets() throws Exception {
        try (SioClient s = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-w", "sw-1"))) {
            assertThat(task("").body()).contains("give exactly one of salesmanId or tenantId");
            assertThat(task("salesmanId=sw-1&tenantId=tenant-w").body()).contains("give exactly one");
            assertThat(task("tenantId=a:b").body()).contains("ids must match");
            s.assertNone("any", Duration.ofMillis(300));
            assertThat(s.isDisconnected()).isFalse();
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
            s.assertNone("any", Duration.ofMillis(300));
            assertThat(s.isDisconnected()).isFalse();
        }
        try (SioClient s2 = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-v", "sv-1"))) {
            assertThat(s2.isConnected()).isTrue();
        }
    }
}
