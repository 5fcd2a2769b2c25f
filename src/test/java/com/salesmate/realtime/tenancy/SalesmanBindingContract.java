package com.salesmate.realtime.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import jakarta.ws.rs.core.Response;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Salesman ids are unique across tenants (SPEC 1) and this service holds them to it: an id is bound to the first
 * tenant it authenticates in, and a token of another tenant naming it is refused with a clear error. Before, tenant
 * B's {@code s1} sending A's timestamp was answered {@code duplicate: true} with A's row id, and B's point was lost.
 */
@Timeout(60)
abstract class SalesmanBindingContract {
    abstract TestApp app();

    private static JSONObject point(long ts) throws Exception {
        return new JSONObject().put("latitude", 12.97).put("longitude", 77.59).put("timestamp", ts);
    }

    @Test
    void aSalesmanIdOfOneTenantIsRefusedInAnotherAndNothingMixes() throws Exception {
        TestApp app = app();
        String tenantA = "bind-a-" + UUID.randomUUID().toString().substring(0, 6);
        String tenantB = "bind-b-" + UUID.randomUUID().toString().substring(0, 6);
        String s1 = "s1-" + UUID.randomUUID().toString().substring(0, 8);
        long ts = System.currentTimeMillis() - 5_000;
        String idOfA;
        try (SioClient a = SioClient.authenticated(app.socketUrl(), app.salesmanToken(tenantA, s1))) {
            JSONObject ack = a.emitAck("location:update", point(ts));
            assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            assertThat(ack.getBoolean("duplicate")).isFalse();
            idOfA = ack.getString("id");

            // B's token naming the same id: refused at the handshake...
            try (SioClient b = SioClient.open(app.socketUrl(), SioClient.options(app.salesmanToken(tenantB, s1)))) {
                JSONObject refusal = (JSONObject) b.awaitConnectError();
                assertThat(refusal.getJSONObject("data").getString("code")).isEqualTo("invalid_token");
                assertThat(refusal.getJSONObject("data").getString("message"))
                        .isEqualTo("salesman id belongs to another tenant");
            }
            // ...and with the authenticate event, then disconnected
            try (SioClient b = SioClient.anonymous(app.socketUrl())) {
                JSONObject nack = b.emitAck("authenticate", new JSONObject().put("token", app.salesmanToken(tenantB, s1)));
                assertThat(nack.getBoolean("success")).isFalse();
                assertThat(nack.getJSONObject("error").getString("code")).isEqualTo("invalid_token");
                assertThat(nack.getJSONObject("error").getString("message"))
                        .isEqualTo("salesman id belongs to another tenant");
                b.awaitDisconnected();
            }
            // A is untouched: still served, its retry still deduplicated to its own row
            JSONObject retry = a.emitAck("location:update", point(ts));
            assertThat(retry.getBoolean("duplicate")).isTrue();
            assertThat(retry.getString("id")).isEqualTo(idOfA);
        }
        // presence and last seen are A's: B's key cannot read it, and the answer names no tenant
        try (Response r = app.get("/salesmen/" + s1 + "/status", TestApp.TENANT_B_KEY)) {
            String body = r.readEntity(String.class);
            assertThat(r.getStatus()).as(body).isIn(403, 404);
            assertThat(body).doesNotContain(tenantA);
        }
        JsonNode status = app.getOk("/salesmen/" + s1 + "/status", TestApp.ADMIN_KEY);
        assertThat(status.path("tenantId").asText()).isEqualTo(tenantA);

        // a salesman id new to the service binds to the tenant it first comes with (the positive control)
        String s2 = "s2-" + UUID.randomUUID().toString().substring(0, 8);
        try (SioClient b = SioClient.authenticated(app.socketUrl(), app.salesmanToken(tenantB, s2))) {
            JSONObject ack = b.emitAck("location:update", point(ts));
            assertThat(ack.getBoolean("duplicate")).isFalse();
        }
        try (SioClient a = SioClient.open(app.socketUrl(), SioClient.options(app.salesmanToken(tenantA, s2)))) {
            assertThat(a.awaitConnectError().toString()).contains("salesman id belongs to another tenant");
        }
    }
}
