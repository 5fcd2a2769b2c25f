package com.salesmate.realtime.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console in a real headless Chromium against the real service: real Java Socket.IO salesman clients and REST
 * calls make things happen, and every assertion is about what the page shows (text in the salesmen table and the
 * feed, where a marker is drawn, the connection state, the figures). No tile server is reachable here, so these also
 * show that the page works without map tiles. A screenshot per test goes to {@code target/console-screenshots/}.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class ConsoleBrowserTest {
    /** The application port is chosen first: the page's origin must be in the Socket.IO allow-list. */
    static final int PORT = TestApp.freePort();
    static final String ORIGIN = ConsolePage.origin(PORT);
    static final TestApp APP = ConsolePage.app(PORT);
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final Path SCREENSHOTS = Path.of("target/console-screenshots");
    static final String TENANT = "tenant-a";

    private static Chromium chromium;
    private ConsolePage page;
    private final List<SioClient> clients = new ArrayList<>();

    @BeforeAll
    static void startBrowser() throws Exception {
        Files.createDirectories(SCREENSHOTS);
        chromium = Chromium.start();
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
    }

    @BeforeEach
    void newPage() {
        page = new ConsolePage(chromium, ORIGIN);
    }

    @AfterEach
    void screenshotAndClose(TestInfo test) {
        try {
            page.screenshot(SCREENSHOTS.resolve(test.getTestMethod().orElseThrow().getName() + ".png"));
            assertThat(page.problems()).as("script errors and refused content on the page")
                    .noneMatch(p -> p.startsWith("page error") || p.contains("Content Security Policy"));
        } finally {
            clients.forEach(SioClient::close);
        }
    }

    // ---- helpers

    private SioClient salesman(String salesmanId) {
        SioClient c = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(TENANT, salesmanId));
        clients.add(c);
        return c;
    }

    private static void move(SioClient salesman, double latitude, double longitude) throws Exception {
        JSONObject ack = salesman.emitAck("location:update", new JSONObject().put("latitude", latitude)
                .put("longitude", longitude).put("timestamp", System.currentTimeMillis()));
        assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
    }

    /** Opens the live view with a manager token in the fragment and waits until it is live. */
    private void openLive(String managerToken) {
        page.open("#token=" + managerToken);
        page.waitText("#state", "live");
    }

    private void openLive() {
        openLive(APP.managerToken(TENANT, "console-manager"));
    }

    // ---- live view

    @Test
    void managerFromTheFragmentSeesSalesmenComeOnlineAndTheirMarkersMove() throws Exception {
        openLive();
        assertThat(page.url()).as("the token leaves the address bar").doesNotContain("token").endsWith("/console/");
        assertThat(page.text("#who")).contains("console-manager").contains("manager of tenant-a");
        assertThat(page.count("tr[data-salesman='map-s1']")).as("not listed before it connects").isZero();

        SioClient s1 = salesman("map-s1");
        page.waitText("tr[data-salesman='map-s1'] .status", "online");
        assertThat(page.salesmanCell("map-s1", "connections")).isEqualTo("1");
        assertThat(page.salesmanCell("map-s1", "since")).isNotEqualTo("—");

        move(s1, 12.9716, 77.5946);
        page.waitText("tr[data-salesman='map-s1'] .position", "12.97160, 77.59460");
        ConsolePage.Point before = page.marker("map-s1");
        move(s1, 12.9776, 77.6006); // north-east
        page.waitText("tr[data-salesman='map-s1'] .position", "12.97760, 77.60060");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            ConsolePage.Point after = page.marker("map-s1");
            assertThat(after.x()).as("marker moved east").isGreaterThan(before.x() + 20);
            assertThat(after.y()).as("marker moved north").isLessThan(before.y() - 20);
        });

        // two colleagues, then the first one's stored trail
        move(salesman("map-s2"), 12.9650, 77.5900);
        move(salesman("map-s3"), 12.9700, 77.6050);
        page.waitText("#online-count", "3 online");
        move(s1, 12.9800, 77.6100);
        page.click("tr[data-salesman='map-s1'] button");
        page.waitText("#trail-info", "Trail of map-s1: 3 stored points");
        assertThat(page.count("path[data-trail='map-s1']")).isEqualTo(1);
        assertThat(page.count(".leaflet-tile-loaded")).as("no tile server reachable: the map works without").isZero();
        assertThat(page.text("#map-note")).contains("Map tiles could not be loaded from tile.openstreetmap.org");
    }

    @Test
    void alertSentThroughRestAppearsInTheFeed() throws Exception {
        openLive();
        assertThat(page.text("#feed")).doesNotContain("fire drill at three");
        JsonNode sent = APP.postOk("/emit/alert", TestApp.TENANT_A_KEY,
                "{\"message\":\"fire drill at three\",\"severity\":\"warning\"}");
        assertThat(sent.path("delivered").asInt()).isPositive();
        String item = page.waitText("#feed li[data-event='alert']", "fire drill at three");
        assertThat(item).contains("[warning]").containsPattern("\\d{1,2}:\\d{2}:\\d{2}");

        APP.postOk("/emit/dashboard-refresh", TestApp.TENANT_A_KEY, "{\"scope\":\"targets\"}");
        page.waitText("#feed li[data-event='dashboard:refresh']", "scope targets");
        // markup in data is shown as text, never parsed
        APP.postOk("/emit/alert", TestApp.TENANT_A_KEY, "{\"message\":\"<img src=x onerror=alert(1)>\"}");
        page.waitText("#feed li[data-event='alert']", "<img src=x onerror=alert(1)>");
        assertThat(page.count("#feed img")).isZero();
    }

    @Test
    void sitesAreOnTheMapAndAVisitShowsInTheFeedAndOnItsSite() throws Exception {
        Response put = APP.request("/sites/console-acme", TestApp.TENANT_A_KEY).put(jakarta.ws.rs.client.Entity.entity(
                "{\"name\":\"Acme <b>Stores</b>\",\"latitude\":12.9716,\"longitude\":77.5946,\"radius\":80,"
                        + "\"dwell\":0}", jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE));
        assertThat(put.getStatus()).isEqualTo(200);
        put.close();
        openLive();
        page.waitText("#sites-info", "site(s) of the tenant on the map");
        assertThat(page.count("path[data-site='console-acme']")).isEqualTo(1);
        assertThat(page.count("path[data-site='console-acme'][data-present='1']")).isZero();

        SioClient s = salesman("visit-s1");
        JSONObject ack = s.emitAck("location:update", new JSONObject().put("latitude", 12.9716)
                .put("longitude", 77.5946).put("accuracy", 10).put("timestamp", System.currentTimeMillis()));
        assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
        page.waitText("#feed li[data-event='visit:arrived']", "visit-s1 arrived at Acme <b>Stores</b>");
        page.waitText("#feed li[data-event='visit:checked_in']", "visit-s1 checked in at Acme <b>Stores</b>");
        assertThat(page.count("#feed b")).as("a site's name is text, never markup").isZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(page.count("path[data-site='console-acme'][data-present='1']")).isEqualTo(1));
    }

    @Test
    void notificationFormReachesTheConnectedSalesmanAndSaysHowManySocketsGotIt() throws Exception {
        SioClient s = salesman("notify-s1");
        openLive();
        page.waitText("tr[data-salesman='notify-s1'] .status", "online");
        page.fill("#notify-salesman", "notify-s1");
        page.fill("#notify-title", "Route change");
        page.fill("#notify-message", "Visit Acme first");
        page.click("#notify-form button[type=submit]");
        JSONObject n = (JSONObject) s.await("notification");
        assertThat(n.getString("message")).isEqualTo("Visit Acme first");
        assertThat(n.getString("title")).isEqualTo("Route change");
        page.waitText("#notify-result", "delivered to 1 socket(s)");

        // an error the API returns is shown in words
        page.fill("#notify-salesman", "not a valid id!");
        page.click("#notify-form button[type=submit]");
        page.waitText("#live-error", "invalid_payload");
        assertThat(page.text("#live-error")).contains("The notification was not sent").contains("HTTP 400");

        // the alert form, from the keyboard: Enter in the message field submits it
        page.click("#alert-message");
        page.fill("#alert-message", "Stock count at five");
        page.press("Enter");
        JSONObject alert = (JSONObject) s.await("alert");
        assertThat(alert.getString("message")).isEqualTo("Stock count at five");
        page.waitText("#alert-result", "Alert delivered to");
    }

    @Test
    void salesmanWhoDisconnectsShowsOfflineAfterTheGrace() throws Exception {
        SioClient s = salesman("gone-s1");
        openLive();
        page.waitText("tr[data-salesman='gone-s1'] .status", "online");
        s.close();
        page.waitText("tr[data-salesman='gone-s1'] .status", "offline", Duration.ofSeconds(8));
        assertThat(page.salesmanCell("gone-s1", "seen")).isNotEqualTo("—");
        assertThat(page.salesmanCell("gone-s1", "connections")).isEqualTo("0");
        page.waitText("#feed li[data-event='salesman:offline']", "gone-s1 went offline");
        assertThat(page.state()).isEqualTo("live");
    }

    @Test
    void anOperatorsDisconnectShowsReconnectingThenLiveAgain() throws Exception {
        openLive(APP.managerToken("tenant-r", "reconnecting-manager"));
        HttpResponse<String> task = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(APP.adminUrl("/tasks/disconnect?tenantId=tenant-r")))
                .header("Authorization", "Bearer " + TestApp.ADMIN_KEY).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(task.body()).contains("disconnected 1 sockets");
        page.waitText("#state", "reconnecting");
        page.waitText("#state", "live");
        assertThat(APP.getOk("/tenants/tenant-r/connections", TestApp.ADMIN_KEY).path("count").asInt()).isEqualTo(1);
    }

    @Test
    void expiredTokenSignsThePageOutWithAMessageAndItStopsReconnecting() throws Exception {
        String shortLived = APP.token("expiring-manager", TENANT, Role.MANAGER, null, Duration.ofSeconds(3));
        openLive(shortLived);
        assertThat(page.visible("#live")).isTrue();
        page.waitText("#state", "signed out: token expired", Duration.ofSeconds(10));
        assertThat(page.text("#sign-in-message")).contains("Signed out: token expired");
        assertThat(page.visible("#live")).isFalse();
        assertThat(page.visible("#manager-form")).isTrue();
        // and it does not come back: no socket of that manager after a while
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                !APP.getOk("/tenants/" + TENANT + "/connections", TestApp.ADMIN_KEY).toString()
                        .contains("expiring-manager"));
        assertThat(page.state()).isEqualTo("signed out: token expired");
    }

    @Test
    void aTokenAlreadyExpiredIsRefusedAtTheHandshakeAndSaysSo() throws Exception {
        page.open("#token=" + APP.token("late-manager", TENANT, Role.MANAGER, null, Duration.ofSeconds(-5)));
        page.waitText("#state", "signed out: token expired");
        assertThat(page.text("#sign-in-message")).contains("Signed out: token expired");
        assertThat(page.visible("#live")).isFalse();
    }

    @Test
    void aSalesmanTokenIsRefusedWithWordsAndStaySignedInKeepsTheTokenInSessionStorageOnly() throws Exception {
        page.open("");
        page.fill("#manager-token", APP.salesmanToken(TENANT, "sneaky-s1"));
        page.click("#manager-form button[type=submit]");
        page.waitText("#sign-in-message", "needs a manager's token");
        assertThat(page.visible("#live")).isFalse();

        page.click("#remember");
        page.fill("#manager-token", APP.managerToken(TENANT, "remembered-manager"));
        page.click("#manager-form button[type=submit]");
        page.waitText("#state", "live");
        assertThat(page.sessionStorage("salesmate-console-credential")).contains("\"kind\":\"manager\"");
        page.click("#sign-out");
        page.waitText("#state", "signed out");
        assertThat(page.sessionStorage("salesmate-console-credential")).isNull();
    }

    // ---- operations view

    @Test
    void operationsViewShowsTheStatsTheApiGivesWithTenantsAndHealth() throws Exception {
        salesman("ops-s1");
        salesman("ops-s2");
        page.open("");
        page.signInWithKey(TestApp.ADMIN_KEY);
        page.waitText("#state", "live");
        page.waitText("#tenants tr[data-tenant='tenant-a'] .connections", "2");

        for (String stable : List.of("activeConnections", "tenants", "salesmen", "totalConnections", "rooms")) {
            await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> assertThat(page.text("dd[data-stat='" + stable + "']"))
                    .as(stable).isEqualTo(APP.getOk("/stats", TestApp.ADMIN_KEY).path("stats").path(stable).asText()));
        }
        // traffic moves the page's counters as it moves the API's
        long sentBefore = Long.parseLong(page.text("dd[data-stat='messagesSent']"));
        APP.postOk("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"tenant-a\",\"message\":\"ops check\"}");
        long sentNow = APP.getOk("/stats", TestApp.ADMIN_KEY).path("stats").path("messagesSent").asLong();
        assertThat(sentNow).isGreaterThanOrEqualTo(sentBefore + 2);
        await().atMost(Duration.ofSeconds(8)).until(() ->
                Long.parseLong(page.text("dd[data-stat='messagesSent']")) >= sentNow);
        page.waitText("#rate-now", "sent");

        page.waitText("#health tr[data-check='database']", "healthy");
        assertThat(page.text("#health tr[data-check='socketio']")).contains("healthy");
        assertThat(page.text("#health-overall")).isEqualTo("all healthy");
        assertThat(page.text("#cluster")).contains("Single node");
        assertThat(page.text("#stats-scope")).isEqualTo("whole service");
    }

    @Test
    void tenantKeySeesItsOwnTenantAndIsToldHealthIsForTheAdmin() throws Exception {
        salesman("ops-t1");
        page.open("");
        page.signInWithKey(TestApp.TENANT_A_KEY);
        page.waitText("#state", "live");
        page.waitText("#health-note", "admin key only");
        assertThat(page.text("#health-note")).contains("forbidden");
        assertThat(page.text("#stats-scope")).isEqualTo("tenant tenant-a");
        await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> assertThat(page.text("dd[data-stat='activeConnections']"))
                .isEqualTo(APP.getOk("/stats", TestApp.TENANT_A_KEY).path("stats").path("activeConnections").asText()));
        assertThat(page.count("#tenants tr[data-tenant]")).isEqualTo(1);

        // a key the server does not know signs the page out with words
        page.open("");
        page.signInWithKey("no-such-key");
        page.waitText("#sign-in-message", "does not accept this key");
    }

    @Test
    void phoneWidthShowsEveryPartWithoutSideways() throws Exception {
        salesman("phone-s1");
        page.open("#token=" + APP.managerToken(TENANT, "phone-manager"), 390, 844);
        page.waitText("#state", "live");
        page.waitText("tr[data-salesman='phone-s1'] .status", "online");
        assertThat(page.scrollWidth()).as("page width at 390 px").isLessThanOrEqualTo(390);
        assertThat(page.visible("#map")).isTrue();
        assertThat(page.visible("#notify-form")).isTrue();
    }
}
