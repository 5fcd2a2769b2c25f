package com.salesmate.realtime.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the console page loads from the server, without a browser: the page and its libraries from the jar, its
 * configuration, and the two read-only endpoints of the operations view ({@code /stats/tenants}, {@code /health}).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(60)
class ConsoleEndpointsTest {
    static final TestApp APP = TestApp.create();
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + EXT.getLocalPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pageAndItsLibrariesAreServedFromTheJar() throws Exception {
        HttpResponse<String> page = get("/console/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("<title>Salesmate Realtime console</title>");
        for (String asset : List.of("/console/app.js", "/console/console.css", "/console/vendor/socket.io.min.js",
                "/console/webjars/leaflet/1.9.4/dist/leaflet.js", "/console/webjars/leaflet/1.9.4/dist/leaflet.css")) {
            assertThat(page.body()).as("index.html loads " + asset).contains(asset.substring("/console/".length()));
            assertThat(get(asset).statusCode()).as(asset).isEqualTo(200);
        }
        assertThat(get("/console/vendor/socket.io.min.js").body()).contains("Socket.IO v4.8.4");
        assertThat(get("/console/nothing-here.js").statusCode()).isEqualTo(404);
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'", "frame-ancestors 'none'"));
        HttpResponse<String> bare = get("/console");
        assertThat(bare.statusCode()).as("/console without the slash").isIn(301, 302, 307, 308);
        assertThat(bare.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/console/"));
    }

    @Test
    void configTellsThePageTheSocketIoPortAndTheTileSourceWithoutACredential() throws Exception {
        HttpResponse<String> r = get("/console/config.json");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode config = JSON.readTree(r.body());
        assertThat(config.path("socketUrl").isNull()).isTrue();
        assertThat(config.path("socketPort").asInt()).isEqualTo(APP.socketPort());
        assertThat(config.path("tileUrl").asText()).isEqualTo(ConsoleFactory.OSM_TILES);
        assertThat(config.path("tileAttribution").asText()).contains("OpenStreetMap");
    }

    @Test
    void tenantStatsCountEachTenantsLiveSocketsAndATenantSeesOnlyItsOwn() throws Exception {
        List<SioClient> clients = new ArrayList<>();
        try {
            clients.add(SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-a", "console-s1")));
            clients.add(SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-a", "console-s2")));
            clients.add(SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("tenant-a", "console-s2")));
            clients.add(SioClient.authenticated(APP.socketUrl(), APP.managerToken("tenant-b", "console-m")));

            JsonNode all = APP.getOk("/stats/tenants", TestApp.ADMIN_KEY);
            assertThat(all.path("count").asInt()).isEqualTo(2);
            assertThat(all.path("tenants").toString()).isEqualTo(
                    "[{\"tenantId\":\"tenant-a\",\"activeConnections\":3,\"salesmen\":2},"
                            + "{\"tenantId\":\"tenant-b\",\"activeConnections\":1,\"salesmen\":0}]");
            JsonNode own = APP.getOk("/stats/tenants", TestApp.TENANT_B_KEY);
            assertThat(own.path("tenants").toString())
                    .isEqualTo("[{\"tenantId\":\"tenant-b\",\"activeConnections\":1,\"salesmen\":0}]");
        } finally {
            clients.forEach(SioClient::close);
        }
        await().until(() -> APP.getOk("/stats/tenants", TestApp.ADMIN_KEY).path("count").asInt() == 0);
    }

    @Test
    void healthRunsEveryCheckNowForTheAdminKey() {
        JsonNode health = APP.getOk("/health", TestApp.ADMIN_KEY);
        assertThat(health.path("healthy").asBoolean()).isTrue();
        List<String> names = new ArrayList<>();
        health.path("checks").forEach(c -> {
            names.add(c.path("name").asText());
            assertThat(c.path("healthy").asBoolean()).as(c.toString()).isTrue();
        });
        assertThat(names).contains("socketio", "database", "location-writer");
    }
}
