package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.crash.ChildService;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.JsPhone;
import com.salesmate.realtime.support.TcpProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rolling restart under a phone: two nodes (child processes, one cluster, one PostgreSQL database), the official
 * JavaScript client (socket.io-client 4.8, websocket) connected to node 1 through a balancer (a {@link TcpProxy}),
 * alerts emitted on node 2 every 50 ms. The balancer sends new connections to node 2, node 1 gets SIGTERM: node 1
 * closes the socket (reason {@code shutdown}, saved in Redis for recovery), the client reconnects by itself, lands on
 * node 2, gets the same socket id with {@code recovered: true}, and has every numbered alert exactly once and in order
 * — those node 1 delivered, those emitted while it was between nodes (replayed by node 2 from the stream) and the live
 * ones after.
 */
@Timeout(240)
class RollingRestartRecoveryTest {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    static final Path SCRIPTS = Path.of("scripts/js-client-check");
    static final Duration EMIT_EVERY = Duration.ofMillis(50);
    /** Alerts emitted after the client is back on node 2, before the emitter stops. */
    static final int AFTER_RECONNECT = 10;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    /** One emit of the emitter: its number and the answer. */
    record Emitted(int n, int status, String body) {
    }

    /**
     * The official client as it is: it reconnects by itself after a lost transport, not after the server's {@code 41}
     * ({@code io server disconnect}); a node that says {@code 41} to its sockets on SIGTERM leaves this phone
     * disconnected for good. (The official server's {@code close()} sends none: its clients see {@code transport
     * close} and recover.)
     */
    @Test
    void aPhoneOnANodeThatIsStoppedComesBackOnTheOtherWithEveryAlertOnceAndInOrder(@TempDir Path dir)
            throws Exception {
        rollingRestart(dir, false);
    }

    /** As deployed: the shipped nginx configuration in front of both nodes; nginx itself moves the phone. */
    @Test
    void throughTheShippedNginxConfiguration(@TempDir Path dir) throws Exception {
        assertThat(NginxStickySessionTest.NGINX.isPresent() || !NginxStickySessionTest.CI)
                .as("nginx must be installed when CI=true").isTrue();
        org.junit.jupiter.api.Assumptions.assumeTrue(NginxStickySessionTest.NGINX.isPresent(), "nginx not installed");
        rollingRestart(dir, true);
    }

    private void rollingRestart(Path dir, boolean viaNginx) throws Exception {
        String clusterYaml = CLUSTER.childYaml();
        NodeScripts.install(SCRIPTS);
        String tenant = ClusterNodes.tenant();
        String token = new TokenService(ChildService.JWT_SECRET, Optional.empty(), Clock.systemUTC())
                .mint("m-" + tenant, tenant, Role.MANAGER, null, Duration.ofMinutes(10));
        Files.createDirectories(dir.resolve("node1"));
        Files.createDirectories(dir.resolve("node2"));
        try (ChildService node1 = new ChildService(dir.resolve("node1"), 100, Duration.ofSeconds(20), PG.url(),
                clusterYaml);
             ChildService node2 = new ChildService(dir.resolve("node2"), 100, Duration.ofSeconds(20), PG.url(),
                     clusterYaml)) {
            node1.start(); // one after the other: both migrate the shared database on start
            node2.start();
            try (TcpProxy balancer = new TcpProxy(node1.socketPort());
                 NginxStickySessionTest.Nginx nginx = viaNginx ? NginxStickySessionTest.Nginx.start(dir.resolve("nginx"),
                         true, Map.of("salesmate_socketio", List.of("127.0.0.1:" + node1.socketPort(),
                                         "127.0.0.1:" + node2.socketPort()),
                                 "salesmate_api", List.of("127.0.0.1:" + node1.appPort(),
                                         "127.0.0.1:" + node2.appPort()))) : null;
                 JsPhone phone = JsPhone.start(viaNginx ? nginx.url() : "http://127.0.0.1:" + balancer.port(), token,
                         "websocket")) {
                String first = phone.await(l -> l.startsWith("connected "));
                assertThat(first).as("a fresh session: %s", phone.printed()).endsWith(" false");
                String socketId = first.split(" ")[1];
                // the node the phone is on is stopped (behind nginx a websocket-only handshake may land on either)
                await().atMost(Duration.ofSeconds(10)).until(() -> active(node1) + active(node2) == 1);
                ChildService stopped = active(node1) == 1 ? node1 : node2;
                ChildService survivor = stopped == node1 ? node2 : node1;

                Emitter emitter = new Emitter(survivor, tenant);
                emitter.start();
                try {
                    // emitted on the survivor, delivered by the other from the stream: the phone is in the cluster
                    phone.await("event alert n-10"::equals);

                    // new connections go to node 2; the open one stays (nginx: node 1 refuses, nginx tries node 2)
                    balancer.retarget(survivor.socketPort());
                    long sigterm = System.nanoTime();
                    Integer exit = stopped.terminate(Duration.ofSeconds(40));
                    long exited = System.nanoTime();
                    assertThat(exit).as("the stopped node after SIGTERM:\n%s", stopped.logTail()).isEqualTo(143);

                    String dropped = phone.await(l -> l.startsWith("disconnect "));
                    String back;
                    try {
                        back = phone.await(l -> l.startsWith("connected "));
                    } catch (AssertionError e) {
                        throw new AssertionError("the phone did not come back after '" + dropped + "': "
                                + e.getMessage() + "\nnode 1:\n" + serviceLog(stopped) + "\nnode 2:\n"
                                + serviceLog(survivor), e);
                    }
                    assertThat(back).as("same socket id, recovered, after %s (client printed %s)\nnode 1:\n%s\nnode 2:\n%s",
                                    dropped, phone.printed(), serviceLog(stopped), serviceLog(survivor))
                            .isEqualTo("connected " + socketId + " true");
                    int atReconnect = emitter.count();
                    await().atMost(Duration.ofSeconds(10)).until(() -> emitter.count() >= atReconnect + AFTER_RECONNECT);
                    emitter.stopAndJoin();
                    int last = emitter.count();
                    phone.await(("event alert n-" + last)::equals);
                    // nothing else was queued for the phone: an alert emitted now, after a pause, is the next it gets
                    Thread.sleep(300);
                    emitter.emitOne("end");
                    phone.await("event alert end"::equals);

                    List<String> expected = new ArrayList<>(IntStream.rangeClosed(1, last)
                            .mapToObj(n -> "event alert n-" + n).toList());
                    expected.add("event alert end");
                    assertThat(phone.printed().stream().filter(l -> l.startsWith("event alert")).toList())
                            .as("every alert once, in order (client printed %s)", phone.printed())
                            .containsExactlyElementsOf(expected);
                    assertThat(emitter.emitted()).as("every emit answered 200")
                            .allSatisfy(e -> assertThat(e.status()).as(e.body()).isEqualTo(200));
                    assertThat(phone.printed().stream().filter(l -> l.startsWith("connected ") || l.startsWith("disconnect ")))
                            .as("one move: %s", phone.printed())
                            .containsExactly(first, dropped, back);

                    // not vacuous: the survivor took the session the stopped node saved, and sent the phone alerts it had missed
                    long replayed = meter(survivor, "socketio.recovery.replayed");
                    long recovered = meter(survivor, "socketio.recovery.recovered");
                    System.out.printf("rolling restart: the stopped node exited %d ms after SIGTERM; the client saw '%s' "
                                    + "and came back; the survivor recovered %d socket(s) and replayed %d "
                                    + "alert(s); %d alerts in all%n",
                            Duration.ofNanos(exited - sigterm).toMillis(), dropped,
                            recovered, replayed,
                            last + 1);
                    assertThat(recovered).as("the survivor recovered the phone's session").isEqualTo(1);
                    assertThat(replayed).as("the survivor replayed the alerts of the gap").isPositive();
                } finally {
                    emitter.stopAndJoin();
                }
            }
        }
    }

    /** A node's log without its HTTP access lines. */
    private static String serviceLog(ChildService node) {
        try {
            return node.log().lines().filter(l -> !l.startsWith("127.0.0.1 - -") && !l.contains("LogbackAccess"))
                    .collect(java.util.stream.Collectors.joining("\n"));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Sockets connected to this node now (its own gauge, not the cluster's figure). */
    private static long active(ChildService node) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(node.adminUrl("/metrics")))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("gauges").path("socketio.connections.active").path("value").asLong(0);
    }

    private static long meter(ChildService node, String name) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(node.adminUrl("/metrics")))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode m = JSON.readTree(r.body()).path("meters").path(name);
        return m.path("count").asLong(0);
    }

    /** Numbered alerts ({@code n-1}, {@code n-2}, ...) to the tenant, one every {@link #EMIT_EVERY}, on one node. */
    private static final class Emitter {
        private final ChildService node;
        private final String tenant;
        private final List<Emitted> emitted = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Emitter(ChildService node, String tenant) {
            this.node = node;
            this.tenant = tenant;
            this.thread = new Thread(this::run, "alert-emitter");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            int n = 0;
            while (running.get()) {
                n++;
                HttpResponse<String> r;
                try {
                    r = post("n-" + n);
                } catch (Exception e) {
                    emitted.add(new Emitted(n, -1, e.toString()));
                    continue;
                }
                emitted.add(new Emitted(n, r.statusCode(), r.body()));
                try {
                    Thread.sleep(EMIT_EVERY.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        HttpResponse<String> post(String message) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create(node.apiUrl("/emit/alert")))
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + ChildService.ADMIN_KEY)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"tenantId\":\"" + tenant + "\",\"message\":\"" + message + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }

        void emitOne(String message) throws Exception {
            HttpResponse<String> r = post(message);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }

        int count() {
            return emitted.size();
        }

        List<Emitted> emitted() {
            return emitted;
        }

        void stopAndJoin() throws InterruptedException {
            running.set(false);
            thread.join(15_000);
            assertThat(thread.isAlive()).as("emitter stopped").isFalse();
        }
    }

}
