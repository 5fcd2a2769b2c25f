package com.salesmate.realtime.tenancy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.socket.client.IO;
import jakarta.ws.rs.core.Response;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Salesman ids are unique across tenants (SPEC 1) and this service holds them to it: an id is bound to the first
 * tenant it authenticates in, and a token of another tenant naming it is refused with a clear error. Before, tenant
 * B's {@code s1} sending A's timestamp was answered {@code duplicate: true} with A's row id, and B's point was lost.
 */
@Timeout(120)
abstract class SalesmanBindingContract {
    /** 60 s to authenticate: the test config's 2 s is short for 200 clients starting together on 2 cores. */
    static final ConfigOverride AUTH_TIMEOUT = ConfigOverride.config("socketio.authTimeout", "60s");

    abstract TestApp app();

    /** A connection to the app's database of its own, outside the app's pool. */
    abstract java.sql.Connection directConnection() throws Exception;

    /** Opens one real client per token at once, over a shared OkHttp client with room for all of them. */
    private static List<SioClient> openAtOnce(TestApp app, List<String> tokens) throws Exception {
        ExecutorService starter = Executors.newFixedThreadPool(50);
        // the Java client's default OkHttp dispatcher runs at most 64 calls at once (a websocket holds one)
        okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
        dispatcher.setMaxRequests(1000);
        dispatcher.setMaxRequestsPerHost(1000);
        okhttp3.OkHttpClient http = new okhttp3.OkHttpClient.Builder().dispatcher(dispatcher).build();
        try {
            List<CompletableFuture<SioClient>> opening = new ArrayList<>();
            for (String token : tokens) {
                opening.add(CompletableFuture.supplyAsync(() -> {
                    IO.Options options = SioClient.options(token, "websocket");
                    options.callFactory = http;
                    options.webSocketFactory = http;
                    return SioClient.open(app.socketUrl(), options);
                }, starter));
            }
            List<SioClient> clients = new ArrayList<>();
            for (CompletableFuture<SioClient> f : opening) {
                clients.add(f.get(30, TimeUnit.SECONDS));
            }
            return clients;
        } finally {
            starter.shutdown();
        }
    }

    /** A field ("count": transactions, "max": largest batch) of the binding batch sizes, from /metrics. */
    private static long bindingBatches(TestApp app, String field) throws Exception {
        var r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.adminUrl("/metrics"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body()).path("histograms").path("salesmen.bindings.batch-size")
                .path(field).asLong(-1);
    }

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

    @Test
    void twoHundredNewSalesmenConnectingAtOnceAreAllBoundToTheirTenantAndAdmitted() throws Exception {
        TestApp app = app();
        String run = UUID.randomUUID().toString().substring(0, 6);
        List<String> tenants = List.of("burst-a-" + run, "burst-b-" + run, "burst-c-" + run, "burst-d-" + run);
        List<String> salesmen = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            salesmen.add("new-" + run + "-" + i);
            tokens.add(app.salesmanToken(tenants.get(i % tenants.size()), salesmen.get(i)));
        }
        List<SioClient> clients = openAtOnce(app, tokens);
        try {
            for (int i = 0; i < clients.size(); i++) {
                SioClient c = clients.get(i);
                c.awaitConnected();
                JSONObject welcome = (JSONObject) c.await("authenticated");
                assertThat(welcome.getString("salesmanId")).isEqualTo(salesmen.get(i));
                assertThat(welcome.getString("tenantId")).isEqualTo(tenants.get(i % tenants.size()));
            }
            System.out.printf("[binding] 200 new salesmen at once: all admitted; largest binding batch %d%n",
                    bindingBatches(app, "max"));
            // each is bound to its tenant: the status names it, and a token of the next tenant is refused
            for (int i = 0; i < salesmen.size(); i++) {
                JsonNode status = app.getOk("/salesmen/" + salesmen.get(i) + "/status", TestApp.ADMIN_KEY);
                assertThat(status.path("tenantId").asText()).isEqualTo(tenants.get(i % tenants.size()));
            }
            for (int i = 0; i < 8; i++) {
                String other = tenants.get((i + 1) % tenants.size());
                try (SioClient b = SioClient.open(app.socketUrl(),
                        SioClient.options(app.salesmanToken(other, salesmen.get(i))))) {
                    assertThat(b.awaitConnectError().toString()).contains("salesman id belongs to another tenant");
                }
            }
            assertThat(clients).allMatch(SioClient::isConnected);
        } finally {
            clients.forEach(SioClient::close);
        }
    }

    @Test
    void oneSalesmanIdConnectingInTwoTenantsAtOnceIsAdmittedInExactlyOne() throws Exception {
        TestApp app = app();
        String run = UUID.randomUUID().toString().substring(0, 6);
        String tenantA = "race-a-" + run;
        String tenantB = "race-b-" + run;
        int pairs = 25;
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            tokens.add(app.salesmanToken(tenantA, "race-" + run + "-" + i));
            tokens.add(app.salesmanToken(tenantB, "race-" + run + "-" + i));
        }
        List<SioClient> clients = openAtOnce(app, tokens);
        try {
            int winsOfA = 0;
            for (int i = 0; i < pairs; i++) {
                SioClient a = clients.get(2 * i);
                SioClient b = clients.get(2 * i + 1);
                await().atMost(Duration.ofSeconds(30)).until(() -> (a.isConnected() || a.hasConnectError())
                        && (b.isConnected() || b.hasConnectError()));
                assertThat(a.isConnected() ^ b.isConnected()).as("pair %d: exactly one admitted", i).isTrue();
                SioClient winner = a.isConnected() ? a : b;
                SioClient loser = a.isConnected() ? b : a;
                JSONObject refusal = (JSONObject) loser.awaitConnectError();
                assertThat(refusal.getJSONObject("data").getString("code")).isEqualTo("invalid_token");
                assertThat(refusal.getJSONObject("data").getString("message"))
                        .isEqualTo("salesman id belongs to another tenant");
                String wonIn = ((JSONObject) winner.await("authenticated")).getString("tenantId");
                JsonNode status = app.getOk("/salesmen/race-" + run + "-" + i + "/status", TestApp.ADMIN_KEY);
                assertThat(status.path("tenantId").asText()).as("pair %d: the binding", i).isEqualTo(wonIn);
                winsOfA += winner == a ? 1 : 0;
            }
            System.out.printf("[binding] %d salesman ids raced in two tenants: %d won by the first, %d by the second%n",
                    pairs, winsOfA, pairs - winsOfA);
        } finally {
            clients.forEach(SioClient::close);
        }
    }

    @Test
    void aSalesmanRevokedWhileHisFirstBindingIsWrittenIsRefusedOnceItIsDone() throws Exception {
        TestApp app = app();
        String run = UUID.randomUUID().toString().substring(0, 6);
        String tenant = "revoke-" + run;
        String held = "held-" + run;
        String revoked = "revoked-" + run;
        // an open transaction holding a claim of "held": the binder's next batch waits for it (PostgreSQL for the
        // row, SQLite for its write lock), and the batch after it holds the revoked salesman's claim
        try (java.sql.Connection blocker = directConnection()) {
            blocker.setAutoCommit(false);
            try (java.sql.PreparedStatement claim = blocker.prepareStatement(
                    "INSERT INTO salesmen (salesman_id, tenant_id, first_seen, last_seen) VALUES (?, ?, 1, 1)")) {
                claim.setString(1, held);
                claim.setString(2, tenant);
                claim.executeUpdate();
            }
            long batches = bindingBatches(app, "count");
            try (SioClient first = SioClient.open(app.socketUrl(), SioClient.options(app.salesmanToken(tenant, held)))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> bindingBatches(app, "count") > batches);
                try (SioClient late = SioClient.open(app.socketUrl(),
                        SioClient.options(app.salesmanToken(tenant, revoked)))) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> queuedBindings(app) >= 1);
                    assertThat(late.isConnected()).as("its CONNECT waits for the binding").isFalse();
                    var task = app.disconnectTask("salesmanId=" + revoked + "&revokeFor=1h");
                    assertThat(task.statusCode()).as(task.body()).isEqualTo(200);
                    blocker.rollback();

                    JSONObject refusal = (JSONObject) late.awaitConnectError();
                    assertThat(refusal.getJSONObject("data").getString("code")).isEqualTo("invalid_token");
                    assertThat(refusal.getJSONObject("data").getString("message")).startsWith("access revoked until");
                    first.awaitConnected(); // the positive control: the one not revoked is admitted
                    assertThat(((JSONObject) first.await("authenticated")).getString("salesmanId")).isEqualTo(held);
                }
            }
        }
    }

    private static long queuedBindings(TestApp app) {
        return app.meter("salesmen.bindings.queue-depth");
    }
}
