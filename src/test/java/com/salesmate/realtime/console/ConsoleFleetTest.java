package com.salesmate.realtime.console;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.socket.client.IO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A console open while 500 salesmen arrive (a reconnect wave) in a real Chromium: every one is listed online, and the
 * page reads {@code /online-salesmen} a handful of times, not once per presence event (it did: 500 requests, each
 * one query per salesman). The marker labels are text (a salesman id is never read as markup).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(180)
class ConsoleFleetTest {
    static final int PORT = TestApp.freePort();
    static final String ORIGIN = ConsolePage.origin(PORT);
    static final TestApp APP = TestApp.create(
            ConfigOverride.config("server.applicationConnectors[0].port", Integer.toString(PORT)),
            ConfigOverride.config("socketio.allowedOrigins", ORIGIN),
            // 500 clients start together on a 2-core machine: more than the test config's 2 s to authenticate
            ConfigOverride.config("socketio.authTimeout", "30s"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final String TENANT = "fleet";
    static final int SALESMEN = 500;

    private static Chromium chromium;

    @BeforeAll
    static void startBrowser() throws Exception {
        chromium = Chromium.start();
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void fiveHundredSalesmenArrivingAreAllListedWithAFewReadsOfTheOnlineList() throws Exception {
        ConsolePage page = new ConsolePage(chromium, ORIGIN);
        page.open("#token=" + APP.managerToken(TENANT, "fleet-manager"));
        page.waitText("#state", "live");
        long readsBefore = APP.meter("rest.online-salesmen");

        okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
        dispatcher.setMaxRequests(2000);
        dispatcher.setMaxRequestsPerHost(2000);
        okhttp3.OkHttpClient http = new okhttp3.OkHttpClient.Builder().dispatcher(dispatcher).build();
        ExecutorService starter = Executors.newFixedThreadPool(32);
        List<SioClient> phones = new ArrayList<>();
        try {
            List<CompletableFuture<SioClient>> opening = new ArrayList<>();
            for (int i = 0; i < SALESMEN; i++) {
                String id = "fleet-" + i + (i == 7 ? "-b" : "");
                opening.add(CompletableFuture.supplyAsync(() -> {
                    IO.Options o = SioClient.options(APP.salesmanToken(TENANT, id), "websocket");
                    o.callFactory = http;
                    o.webSocketFactory = http;
                    SioClient c = SioClient.open(APP.socketUrl(), o);
                    c.awaitConnected();
                    return c;
                }, starter));
            }
            for (CompletableFuture<SioClient> f : opening) {
                phones.add(f.get(60, TimeUnit.SECONDS));
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(page.count("tr[data-salesman] .status")).isEqualTo(SALESMEN));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(page.count("tr[data-salesman]")).isEqualTo(SALESMEN));
            page.waitText("tr[data-salesman='fleet-499'] .status", "online");
            page.waitText("tr[data-salesman='fleet-0'] .status", "online");
            Thread.sleep(1000); // a reload still queued would show here
            long reads = APP.meter("rest.online-salesmen") - readsBefore;
            System.out.printf("[console] %d salesmen arrived: %d reads of /online-salesmen%n", SALESMEN, reads);
            assertThat(reads).as("reads of the online list for %d arrivals", SALESMEN).isBetween(1L, 60L);
            assertThat(page.problems()).noneMatch(p -> p.startsWith("page error"));
        } finally {
            phones.forEach(SioClient::close);
            starter.shutdownNow();
            http.dispatcher().executorService().shutdown();
        }
    }
}
