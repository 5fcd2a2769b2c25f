package com.salesmate.realtime.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every endpoint of SPEC 5 × every kind of caller → the status it must get. Bodies are valid and name tenant-a
 * explicitly (so the admin key, which needs a tenantId, gets one), so only authorisation decides.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(90)
class AuthorizationMatrixTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final ObjectMapper JSON = new ObjectMapper();

    /** A salesman of tenant-a, connected once so that status and locations find him. */
    static final String SALESMAN = "auth-matrix-s1";

    /** A site of tenant-a, put before each case (a DELETE that is allowed removes it). */
    static final String SITE = "auth-matrix-site";
    static final String HOOK_BODY = "{\"tenantId\":\"tenant-a\",\"url\":\"https://93.184.216.34/h\","
            + "\"events\":[\"alert.created\"]}";
    static final String SITE_BODY = "{\"tenantId\":\"tenant-a\",\"name\":\"HQ\",\"latitude\":1,\"longitude\":2}";

    /** The callers, in the column order of the table. */
    enum Who {
        NONE, UNKNOWN_KEY, ADMIN_KEY, OWN_TENANT_KEY, OTHER_TENANT_KEY, OWN_MANAGER_JWT, OTHER_MANAGER_JWT, SALESMAN_JWT
    }

    static final Map<Who, Function<TestApp, String>> CREDENTIALS = Map.of(
            Who.NONE, app -> null,
            Who.UNKNOWN_KEY, app -> "not-a-known-key",
            Who.ADMIN_KEY, app -> TestApp.ADMIN_KEY,
            Who.OWN_TENANT_KEY, app -> TestApp.TENANT_A_KEY,
            Who.OTHER_TENANT_KEY, app -> TestApp.TENANT_B_KEY,
            Who.OWN_MANAGER_JWT, app -> app.managerToken("tenant-a", "manager-a"),
            Who.OTHER_MANAGER_JWT, app -> app.managerToken("tenant-b", "manager-b"),
            Who.SALESMAN_JWT, app -> app.salesmanToken("tenant-a", SALESMAN));

    /** One row: an endpoint and the expected status for each caller, in {@link Who} order. */
    record Row(String method, String path, String body, int... expected) {
    }

    static final List<Row> TABLE = List.of(
            //                                                          none unkn admn ownT othT ownM othM slsm
            new Row("GET", "/stats", null,                               401, 401, 200, 200, 200, 200, 200, 403),
            new Row("GET", "/stats/tenants", null,                       401, 401, 200, 200, 200, 200, 200, 403),
            new Row("GET", "/health", null,                              401, 401, 200, 403, 403, 403, 403, 403),
            new Row("GET", "/tenants/tenant-a/connections", null,        401, 401, 200, 200, 403, 200, 403, 403),
            new Row("GET", "/tenants/tenant-a/online-salesmen", null,    401, 401, 200, 200, 403, 200, 403, 403),
            new Row("GET", "/salesmen/" + SALESMAN + "/status", null,    401, 401, 200, 200, 403, 200, 403, 403),
            new Row("GET", "/salesmen/" + SALESMAN + "/locations", null, 401, 401, 200, 200, 403, 200, 403, 403),
            new Row("POST", "/emit/notification",
                    "{\"tenantId\":\"tenant-a\",\"salesmanId\":\"" + SALESMAN + "\",\"message\":\"hi\"}",
                                                                         401, 401, 200, 200, 403, 200, 403, 403),
            new Row("POST", "/emit/alert", "{\"tenantId\":\"tenant-a\",\"message\":\"fire drill\"}",
                                                                         401, 401, 200, 200, 403, 200, 403, 403),
            new Row("POST", "/emit/dashboard-refresh", "{\"tenantId\":\"tenant-a\",\"scope\":\"sales\"}",
                                                                         401, 401, 200, 200, 403, 200, 403, 403),
            new Row("POST", "/emit/event", "{\"tenantId\":\"tenant-a\",\"event\":\"visit:created\",\"data\":{\"v\":1}}",
                                                                         401, 401, 200, 200, 403, 200, 403, 403),
            new Row("POST", "/broadcast", "{\"event\":\"maintenance\",\"data\":{\"at\":1}}",
                                                                         401, 401, 200, 403, 403, 403, 403, 403),
            new Row("PUT", "/sites/" + SITE, SITE_BODY,                  401, 401, 200, 200, 403, 200, 403, 403),
            new Row("GET", "/sites/" + SITE + "?tenantId=tenant-a", null, 401, 401, 200, 200, 403, 200, 403, 403),
            new Row("GET", "/sites?tenantId=tenant-a", null,             401, 401, 200, 200, 403, 200, 403, 403),
            new Row("GET", "/sites/" + SITE + "/visits?tenantId=tenant-a", null,
                                                                         401, 401, 200, 200, 403, 200, 403, 403),
            new Row("GET", "/salesmen/" + SALESMAN + "/visits", null,    401, 401, 200, 200, 403, 200, 403, 403),
            new Row("PUT", "/webhooks/auth-matrix-hook", HOOK_BODY,       401, 401, 200, 200, 403, 200, 403, 403),
            new Row("GET", "/webhooks?tenantId=tenant-a", null,          401, 401, 200, 200, 403, 200, 403, 403),
            new Row("DELETE", "/sites/" + SITE + "?tenantId=tenant-a", null,
                                                                         401, 401, 200, 200, 403, 200, 403, 403));

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Row row : TABLE) {
            assertThat(row.expected()).as(row.path()).hasSize(Who.values().length);
            for (Who who : Who.values()) {
                cases.add(Arguments.of(row.method() + " " + row.path(), who, row.expected()[who.ordinal()], row));
            }
        }
        return cases.stream();
    }

    static SioClient salesmanSocket;

    @BeforeAll
    static void seeTheSalesmanOnce() {
        salesmanSocket = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-a", SALESMAN));
        // last-seen is recorded off the event loop: wait until the status endpoint knows him
        await().until(() -> APP.get("/salesmen/" + SALESMAN + "/status", TestApp.ADMIN_KEY).getStatus() == 200);
    }

    @AfterAll
    static void closeSocket() {
        salesmanSocket.close();
    }

    @ParameterizedTest(name = "{0} as {1} -> {2}")
    @MethodSource("cases")
    void callerGetsTheStatusOfTheMatrix(String endpoint, Who who, int expected, Row row) throws Exception {
        String credential = CREDENTIALS.get(who).apply(APP);
        Response put = APP.request("/sites/" + SITE, TestApp.ADMIN_KEY)
                .put(Entity.entity(SITE_BODY, MediaType.APPLICATION_JSON_TYPE));
        assertThat(put.getStatus()).isEqualTo(200);
        put.close();
        Response r = switch (row.method()) {
            case "GET" -> APP.get(row.path(), credential);
            case "DELETE" -> APP.request(row.path(), credential).delete();
            case "PUT" -> APP.request(row.path(), credential)
                    .put(Entity.entity(row.body(), MediaType.APPLICATION_JSON_TYPE));
            default -> APP.post(row.path(), credential, row.body());
        };
        String text = r.readEntity(String.class);
        assertThat(r.getStatus()).as(endpoint + " as " + who + ": " + text).isEqualTo(expected);
        JsonNode body = JSON.readTree(text);
        if (expected == 200) {
            assertThat(body.path("success").asBoolean()).as(text).isTrue();
            return;
        }
        assertThat(body.path("success").isBoolean() && !body.path("success").asBoolean()).as(text).isTrue();
        assertThat(body.path("error").path("code").asText())
                .isEqualTo(expected == 401 ? "unauthorized" : "forbidden");
        assertThat(body.path("error").path("message").asText()).isNotBlank();
        if (expected == 401) {
            assertThat(r.getHeaderString("WWW-Authenticate")).startsWith("Bearer");
        }
    }
}
