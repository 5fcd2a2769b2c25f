package com.salesmate.realtime.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /sites} over HTTP (SPEC 10): validation with the field to blame and nothing written, each tenant's own sites
 * under the same ids, never another tenant's, the limit per tenant, pages.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class SitesRestTest {
    static final TestApp APP = TestApp.create(ConfigOverride.config("visits.maxSitesPerTenant", "5"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ACME = "{\"name\":\"Acme Stores\",\"latitude\":12.9716,\"longitude\":77.5946}";

    static Response put(String path, String credential, String json) {
        return APP.request(path, credential).put(Entity.entity(json, MediaType.APPLICATION_JSON_TYPE));
    }

    static JsonNode body(Response r) throws Exception {
        return JSON.readTree(r.readEntity(String.class));
    }

    /** The status, with the response closed (an unread response holds one of the client's pooled connections). */
    static int status(Response r) {
        try (r) {
            return r.getStatus();
        }
    }

    static String fresh() {
        return "site-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aSiteIsCreatedReadReplacedAndDeleted() throws Exception {
        String id = fresh();
        Response created = put("/sites/" + id, TestApp.TENANT_A_KEY,
                "{\"name\":\"Acme\",\"latitude\":12.9716,\"longitude\":77.5946,\"radius\":250,\"dwell\":300,"
                        + "\"customerId\":\"cust-9\",\"data\":{\"tier\":\"gold\"}}");
        JsonNode c = body(created);
        assertThat(created.getStatus()).as(c.toString()).isEqualTo(200);
        assertThat(c.path("created").asBoolean()).isTrue();
        JsonNode site = c.path("site");
        assertThat(site.path("siteId").asText()).isEqualTo(id);
        assertThat(site.path("tenantId").asText()).isEqualTo("tenant-a");
        assertThat(site.path("radius").asDouble()).isEqualTo(250);
        assertThat(site.path("dwell").asInt()).isEqualTo(300);
        assertThat(site.path("data").path("tier").asText()).isEqualTo("gold");

        JsonNode read = APP.getOk("/sites/" + id, TestApp.TENANT_A_KEY).path("site");
        assertThat(read).isEqualTo(site);

        JsonNode replaced = body(put("/sites/" + id, APP.managerToken("tenant-a", "boss"), ACME));
        assertThat(replaced.path("created").asBoolean()).isFalse();
        assertThat(replaced.path("site").path("radius").asDouble()).as("defaults again").isEqualTo(100);
        assertThat(replaced.path("site").path("dwell").asInt()).isEqualTo(120);
        assertThat(replaced.path("site").path("data").isNull()).isTrue();

        Response deleted = APP.request("/sites/" + id, TestApp.TENANT_A_KEY).delete();
        assertThat(deleted.getStatus()).isEqualTo(200);
        assertThat(body(deleted).path("deleted").asBoolean()).isTrue();
        assertThat(status(APP.get("/sites/" + id, TestApp.TENANT_A_KEY))).isEqualTo(404);
        assertThat(status(APP.request("/sites/" + id, TestApp.TENANT_A_KEY).delete())).isEqualTo(404);
    }

    @Test
    void badSitesAreRefusedWithTheFieldToBlameAndNothingIsWritten() throws Exception {
        String id = fresh();
        String[][] cases = {
                {"{\"name\":\"x\",\"latitude\":12,\"longitude\":77,\"radius\":29}", "radius"},
                {"{\"name\":\"x\",\"latitude\":12,\"longitude\":77,\"radius\":5001}", "radius"},
                {"{\"name\":\"x\",\"latitude\":12,\"longitude\":77,\"dwell\":-1}", "dwell"},
                {"{\"name\":\"x\",\"latitude\":91,\"longitude\":77}", "latitude"},
                {"{\"name\":\"x\",\"latitude\":12,\"longitude\":-180.5}", "longitude"},
                {"{\"latitude\":12,\"longitude\":77}", "name"},
                {"{\"name\":\"x\",\"longitude\":77}", "latitude"},
                {"{\"name\":\"x\",\"latitude\":\"12\",\"longitude\":77}", "latitude"},
                {"{\"name\":\"x\",\"latitude\":12,\"longitude\":77,\"radius\":\"100\"}", "radius"},
                {"{\"name\":\"x\",\"latitude\":12,\"longitude\":77,\"colour\":\"red\"}", "colour"},
                {"{\"name\":\"x\",\"latitude\":12,\"longitude\":77,\"customerId\":\"a b\"}", "customerId"},
                {"{\"name\":\"x\",\"latitude\":12,\"longitude\":77,\"data\":{\"blob\":\"" + "y".repeat(5000) + "\"}}",
                        "data"},
        };
        for (String[] c : cases) {
            Response r = put("/sites/" + id, TestApp.TENANT_A_KEY, c[0]);
            JsonNode b = body(r);
            assertThat(r.getStatus()).as(c[0] + " -> " + b).isEqualTo(400);
            assertThat(b.path("success").asBoolean(true)).isFalse();
            assertThat(b.path("error").path("code").asText()).isEqualTo("invalid_payload");
            assertThat(b.path("error").path("field").asText()).as(b.toString()).isEqualTo(c[1]);
        }
        Response badId = put("/sites/a%20b", TestApp.TENANT_A_KEY, ACME);
        assertThat(badId.getStatus()).isEqualTo(400);
        assertThat(body(badId).path("error").path("field").asText()).isEqualTo("siteId");
        assertThat(status(APP.get("/sites/" + id, TestApp.TENANT_A_KEY))).as("nothing written").isEqualTo(404);
        // the same id with a good body is taken: what refused them was the body
        assertThat(status(put("/sites/" + id, TestApp.TENANT_A_KEY, ACME))).isEqualTo(200);
    }

    @Test
    void eachTenantHasItsOwnSitesAndNeverSeesAnothers() throws Exception {
        String id = fresh();
        assertThat(status(put("/sites/" + id, TestApp.TENANT_A_KEY, ACME))).isEqualTo(200);
        // tenant-b: its own namespace (no such site), and tenant-a's named explicitly is forbidden
        JsonNode notThere = body(APP.get("/sites/" + id, TestApp.TENANT_B_KEY));
        assertThat(notThere.path("error").path("code").asText()).isEqualTo("not_found");
        assertThat(status(APP.get("/sites/" + id + "?tenantId=tenant-a", TestApp.TENANT_B_KEY))).isEqualTo(403);
        assertThat(status(APP.get("/sites?tenantId=tenant-a", APP.managerToken("tenant-b", "m")))).isEqualTo(403);
        assertThat(status(APP.request("/sites/" + id + "?tenantId=tenant-a", TestApp.TENANT_B_KEY).delete()))
                .isEqualTo(403);
        assertThat(status(put("/sites/" + id, TestApp.TENANT_B_KEY,
                ACME.replace("{", "{\"tenantId\":\"tenant-a\",")))).isEqualTo(403);
        // tenant-b makes its own site under the same id; tenant-a's is unchanged
        assertThat(body(put("/sites/" + id, TestApp.TENANT_B_KEY,
                "{\"name\":\"B's\",\"latitude\":1,\"longitude\":2}")).path("created").asBoolean()).isTrue();
        assertThat(APP.getOk("/sites/" + id, TestApp.TENANT_A_KEY).path("site").path("name").asText())
                .isEqualTo("Acme Stores");
        assertThat(APP.getOk("/sites/" + id + "?tenantId=tenant-b", TestApp.ADMIN_KEY).path("site").path("name")
                .asText()).isEqualTo("B's");
        // the admin key must say which tenant; a salesman's token is no operator
        assertThat(body(APP.get("/sites/" + id, TestApp.ADMIN_KEY)).path("error").path("field").asText())
                .isEqualTo("tenantId");
        assertThat(status(APP.get("/sites", APP.salesmanToken("tenant-a", "s1")))).isEqualTo(403);
        for (JsonNode s : APP.getOk("/sites", TestApp.TENANT_B_KEY).path("sites")) {
            assertThat(s.path("tenantId").asText()).isEqualTo("tenant-b");
        }
    }

    @Test
    void aTenantsSitesComeInPagesAndPastItsLimitANewOneIsRefused() throws Exception {
        String key = APP.managerToken("tenant-pages", "m");
        for (String id : new String[] {"p3", "p1", "p5", "p2", "p4"}) {
            assertThat(status(put("/sites/" + id, key, ACME))).isEqualTo(200);
        }
        JsonNode first = APP.getOk("/sites?limit=2", key);
        assertThat(first.path("count").asInt()).isEqualTo(2);
        assertThat(first.path("sites").get(0).path("siteId").asText()).isEqualTo("p1");
        assertThat(first.path("next").asText()).isEqualTo("p2");
        JsonNode last = APP.getOk("/sites?limit=2&after=p4", key);
        assertThat(last.path("sites").get(0).path("siteId").asText()).isEqualTo("p5");
        assertThat(last.path("next").isNull()).isTrue();
        assertThat(status(APP.get("/sites?limit=0", key))).isEqualTo(400);
        assertThat(status(APP.get("/sites?limit=10001", key))).isEqualTo(400);

        // the limit of this app is 5: a sixth is refused, replacing one is not
        Response sixth = put("/sites/p6", key, ACME);
        JsonNode refused = body(sixth);
        assertThat(sixth.getStatus()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.path("error").path("message").asText()).contains("5 sites");
        assertThat(status(APP.get("/sites/p6", key))).isEqualTo(404);
        assertThat(status(put("/sites/p5", key, ACME))).isEqualTo(200);
    }
}
