package com.salesmate.realtime.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.resources.EmitAdmission;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.netty.channel.Channel;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Emit backpressure end to end: the node's one event loop is held (as a loop starved of CPU, or busy with a storm, is)
 * so an admitted alert's writes stay queued; the next REST emits then wait for the loop, are refused 503 with nothing
 * sent or stored when it does not catch up in time, and are carried out as soon as it does. Real clients, a real
 * SQLite file.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class EmitBackpressureTest {
    private static final TestApp APP = TestApp.create(
            ConfigOverride.config("socketio.workerThreads", "1"), // every socket on the loop the test holds
            ConfigOverride.config("socketio.maxEmitBacklog", "1"),
            ConfigOverride.config("socketio.emitBacklogWait", "5s"),
            ConfigOverride.config("socketio.maxHeldEmits", "2"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT = "backpressure";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void emitsPastTheBacklogWaitForTheLoopsAreRefusedWithNothingSentWhenTheyDoNotCatchUpAndGoOutWhenTheyDo()
            throws Exception {
        try (SioClient a = SioClient.authenticated(APP.socketUrl(), APP.managerToken(TENANT, "m-a"), "websocket");
             SioClient b = SioClient.authenticated(APP.socketUrl(), APP.managerToken(TENANT, "m-b"), "websocket")) {
            // positive control: with the loop free an alert reaches both managers at once
            assertThat(alert("free").statusCode()).isEqualTo(200);
            assertThat(a.awaitObject("alert").getString("message")).isEqualTo("free");
            assertThat(b.awaitObject("alert").getString("message")).isEqualTo("free");
            await().atMost(Duration.ofSeconds(5)).until(() -> backlog() == 0); // the loop flushes, then uncounts

            CountDownLatch release = new CountDownLatch(1);
            Channel loopOwner = websocketOf("m-a");
            CountDownLatch held = new CountDownLatch(1);
            loopOwner.eventLoop().execute(() -> {
                held.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
            try {
                // admitted (nothing queued yet): its two writes wait on the held loop
                assertThat(alert("queued").statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(5)).until(() -> backlog() == 2);

                long refusedBefore = APP.meter(EmitAdmission.REFUSED);
                long waitStarted = System.nanoTime();
                HttpResponse<String> refused = alert("refused");
                long waitedMs = (System.nanoTime() - waitStarted) / 1_000_000;
                JsonNode body = JSON.readTree(refused.body());
                assertThat(refused.statusCode()).as(body.toString()).isEqualTo(503);
                assertThat(body.path("success").asBoolean(true)).isFalse();
                assertThat(body.path("error").path("code").asText()).isEqualTo("unavailable");
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(waitedMs).as("it waited for the loop before it was refused").isGreaterThanOrEqualTo(4_900);
                assertThat(APP.meter(EmitAdmission.REFUSED)).isEqualTo(refusedBefore + 1);
                // a notification refused the same way is not stored: the salesman never gets it (below)
                assertThat(post("/emit/notification", TestApp.ADMIN_KEY,
                        "{\"tenantId\":\"" + TENANT + "\",\"salesmanId\":\"bp-s1\",\"message\":\"refused\"}")
                        .statusCode()).isEqualTo(503);
                assertThat(APP.meter(EmitAdmission.REFUSED)).isEqualTo(refusedBefore + 2);
                // checks that do not depend on the load come first: a bad credential, another tenant, a bad body
                assertThat(post("/emit/alert", "wrong-key", "{\"tenantId\":\"" + TENANT + "\",\"message\":\"x\"}")
                        .statusCode()).isEqualTo(401);
                assertThat(post("/emit/alert", TestApp.TENANT_A_KEY, "{\"tenantId\":\"" + TENANT + "\",\"message\":\"x\"}")
                        .statusCode()).isEqualTo(403);
                assertThat(post("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + TENANT + "\"}").statusCode())
                        .isEqualTo(400);
                assertThat(APP.meter(EmitAdmission.REFUSED)).as("none of those was held").isEqualTo(refusedBefore + 2);

                // held emits wait their turn in arrival order; one past socketio.maxHeldEmits (2) is refused at once
                long heldBefore = APP.meter(EmitAdmission.HELD);
                CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> alert("held 1").statusCode());
                await().atMost(Duration.ofSeconds(5)).until(() -> APP.meter(EmitAdmission.HELD) == heldBefore + 1);
                CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> alert("held 2").statusCode());
                await().atMost(Duration.ofSeconds(5)).until(() -> APP.meter(EmitAdmission.HELD) == heldBefore + 2);
                HttpResponse<String> overCap = alert("over the cap");
                assertThat(overCap.statusCode()).isEqualTo(503);
                assertThat(overCap.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(APP.meter(EmitAdmission.REFUSED)).isEqualTo(refusedBefore + 3);
                assertThat(EXT.getEnvironment().metrics().getGauges().get(EmitAdmission.HOLDING).getValue())
                        .as("emits held now").isEqualTo(2);
                assertThat(first).as("still waiting for the loop").isNotDone();
                assertThat(second).isNotDone();
                // the loop catches up while they wait: both are carried out
                release.countDown();
                assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(200);
                assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(200);
            } finally {
                release.countDown();
            }

            for (SioClient manager : List.of(a, b)) {
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    got.add(manager.awaitObject("alert").getString("message"));
                }
                // the held ones arrived after where "refused" and "over the cap" would have been: never sent
                assertThat(got).containsExactly("queued", "held 1", "held 2");
                manager.assertNone("alert", Duration.ofMillis(300));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> backlog() == 0);
        }

        // the refused notification was never stored; one accepted now is, and reaches the salesman when he comes
        assertThat(post("/emit/notification", TestApp.ADMIN_KEY,
                "{\"tenantId\":\"" + TENANT + "\",\"salesmanId\":\"bp-s1\",\"message\":\"accepted\"}").statusCode())
                .isEqualTo(200);
        try (SioClient salesman = SioClient.authenticated(APP.socketUrl(), APP.salesmanToken(TENANT, "bp-s1"))) {
            JSONObject first = salesman.awaitObject("notification");
            assertThat(first.getString("message")).isEqualTo("accepted");
            salesman.assertNone("notification", Duration.ofMillis(500));
        }
    }

    /**
     * Posted with the JDK's client, which answers what the server answered: Apache HttpClient 5 (the test app's own
     * client) retries a 503 that carries {@code Retry-After} once by itself, even a POST.
     */
    private static HttpResponse<String> post(String path, String credential, String body) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(APP.apiUrl(path)))
                    .header("Authorization", "Bearer " + credential).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> alert(String message) {
        return post("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + TENANT + "\",\"message\":\"" + message + "\"}");
    }

    private static long backlog() {
        return (Long) EXT.getEnvironment().metrics().getGauges().get(EmitAdmission.BACKLOG).getValue();
    }

    private static Channel websocketOf(String userId) {
        Connection connection = APP.app().hub().registry().ofTenant(TENANT).stream()
                .filter(c -> c.identity().userId().equals(userId)).findFirst().orElseThrow();
        Channel channel = ((SocketLink) connection.link()).websocket();
        assertThat(channel).as("the manager's websocket").isNotNull();
        return channel;
    }
}
