package com.salesmate.realtime.console;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the README's screenshots from a real run (not a test: its name keeps Surefire from running it by default):
 * {@code mvn -B verify -Dtest=ConsoleScreenshots -Dsurefire.failIfNoSpecifiedTests=false} writes
 * {@code docs/console.png} (live view: four salesmen, one trail, a few events; no tiles, as offline) and
 * {@code docs/console-ops.png} (operations view).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class ConsoleScreenshots {
    static final int PORT = TestApp.freePort();
    static final String ORIGIN = ConsolePage.origin(PORT);
    static final TestApp APP = ConsolePage.app(PORT);
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    static void move(SioClient s, double lat, double lng, long ts) throws Exception {
        JSONObject ack = s.emitAck("location:update", new JSONObject().put("latitude", lat).put("longitude", lng)
                .put("timestamp", ts));
        if (!ack.getBoolean("success")) {
            throw new AssertionError(ack.toString());
        }
    }

    @Test
    void liveAndOperationsViews() throws Exception {
        List<SioClient> clients = new ArrayList<>();
        try (Chromium chromium = Chromium.start()) {
            ConsolePage page = new ConsolePage(chromium, ORIGIN);
            page.open("#token=" + APP.managerToken("acme", "priya"), 1280, 860);
            page.waitText("#state", "live");
            String[] ids = {"ravi", "anita", "kiran", "meera"};
            double[][] at = {{12.9716, 77.5946}, {12.9352, 77.6245}, {12.9784, 77.6408}, {12.9141, 77.5800}};
            long now = System.currentTimeMillis();
            for (int i = 0; i < ids.length; i++) {
                SioClient c = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken("acme", ids[i]));
                clients.add(c);
                move(c, at[i][0], at[i][1], now - 60_000 + i);
            }
            page.waitText("#online-count", "4 online");
            // ravi's round crosses the others' area, so that his trail and the team fit in one view
            for (int step = 1; step <= 6; step++) {
                move(clients.get(0), 12.9716 - step * 0.009, 77.5946 + step * 0.007 * (step % 2 == 0 ? 1 : 0.6),
                        now - 50_000 + step * 1000L);
            }
            clients.get(1).emitAck("typing", new JSONObject().put("to", "managers").put("conversationId", "c-17"));
            APP.postOk("/emit/event", TestApp.ADMIN_KEY, "{\"tenantId\":\"acme\",\"event\":\"order:created\",\"to\":\"managers\",\"data\":{\"orderId\":\"o-4711\",\"amount\":1250}}");
            APP.postOk("/emit/dashboard-refresh", TestApp.ADMIN_KEY, "{\"tenantId\":\"acme\",\"scope\":\"targets\"}");
            APP.postOk("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"acme\",\"message\":\"Stock count due by 5 pm\",\"severity\":\"warning\"}");
            page.waitText("#feed", "Stock count");
            page.click("tr[data-salesman='ravi'] button");
            page.waitText("#trail-info", "Trail of ravi");
            page.fill("#notify-salesman", "ravi");
            page.fill("#notify-message", "Visit Acme Stores first");
            page.click("#notify-form button[type=submit]");
            page.waitText("#notify-result", "delivered");
            Thread.sleep(500);
            page.screenshot(Path.of("docs/console.png"));

            SioClient manager = SioClient.authenticated(APP.socketUrl(), APP.managerToken("acme", "priya"));
            clients.add(manager); // receives the locations: messages sent move too
            page.open("", 1280, 860);
            page.signInWithKey(TestApp.ADMIN_KEY);
            page.waitText("#state", "live");
            for (int i = 0; i < 8; i++) {
                for (int k = 0; k < 4; k++) {
                    for (int n = 0; n <= (i + k) % 3; n++) {
                        move(clients.get(k), 12.95 + i * 0.001, 77.6 + k * 0.01 + n * 0.001, now + i * 100L + k * 10 + n);
                    }
                }
                Thread.sleep(3000); // one refresh of the page per round
            }
            page.screenshot(Path.of("docs/console-ops.png"));
        } finally {
            clients.forEach(SioClient::close);
        }
    }
}
