package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The shipped nginx configuration ({@code deploy/nginx/salesmate-realtime.conf}) with real nginx in front of two
 * cluster nodes, driven by the official JavaScript client ({@code scripts/nginx-check}, socket.io-client 4.x) from
 * many loopback source addresses (127.0.0.10 and up: the stickiness key is the client address, so clients from one
 * address would all land on one node).
 *
 * <p>What shows stickiness: every polling session (polling only, and polling until its upgrade) makes many requests
 * (CONNECT, every acked {@code location:update}, every poll), and a request that reached the other node would be
 * answered 400 "Session ID unknown" and end the session — yet every ack succeeds, every alert arrives and the client
 * is never disconnected; nginx's access log shows one upstream per client address, the node whose registry holds the
 * session. What shows both nodes are in use: each node's own registry ({@code hub().registry()}, this node's sockets
 * only) holds sessions of both polling-only and upgrading clients. The alert for each client is emitted through the
 * REST API of the node it is not on, so it crossed nodes. The control: the same file without its {@code hash} line
 * (round robin) breaks polling at once, with the 400 the hash prevents.
 *
 * <p>Skipped with a message when nginx is not installed, unless {@code CI=true}: then it fails.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class NginxStickySessionTest {
    static final Path SHIPPED = Path.of("deploy/nginx/salesmate-realtime.conf");
    static final Path SCRIPT_DIR = Path.of("scripts/nginx-check");
    static final boolean CI = "true".equals(System.getenv("CI"));
    static final Optional<Path> NGINX = findNginx();
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Acked location:updates per client before the alert; half as many follow it. */
    static final int EVENTS = 10;
    /** Clients per transport mode; each polling-only and each upgrading client from an address of its own. */
    static final int PER_MODE = 16;

    /** Evaluated before any extension starts a node (an assumption in {@code @BeforeAll} would come after). */
    @RegisterExtension
    static final ExecutionCondition NGINX_INSTALLED = context -> NGINX.isPresent() || CI
            ? ConditionEvaluationResult.enabled("nginx at " + NGINX.map(Path::toString).orElse("(missing: fails under CI)"))
            : ConditionEvaluationResult.disabled("nginx is not installed (not on PATH nor in /usr/sbin); skipping the"
                    + " nginx sticky-session test (install the Debian package nginx; under CI=true it fails instead)");
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    // Every handshake reaches a node from nginx's address, 127.0.0.1, and 48 clients start within a second: the
    // shipped per-address limits admit such a burst (a fleet behind carrier-grade NAT looks the same), no override.
    // the test config's 2 s to authenticate is short for 48 clients starting together on a busy machine
    static final ConfigOverride AUTH_TIMEOUT = ConfigOverride.config("socketio.authTimeout", "15s");
    static final TestApp A = CLUSTER.node(PG.url(), AUTH_TIMEOUT);
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_A = A.extension();
    static final TestApp B = CLUSTER.node(PG.url(), AUTH_TIMEOUT);
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_B = B.extension();

    static Path tmp;
    static Nginx sticky;

    @BeforeAll
    static void startNginx() throws Exception {
        assertThat(NGINX).as("nginx must be installed when CI=true (Debian package nginx; .ci/run installs it)")
                .isPresent();
        if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules"))) {
            run(SCRIPT_DIR, Duration.ofSeconds(180), "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
        }
        tmp = Files.createTempDirectory("nginx-sticky");
        sticky = Nginx.start(tmp.resolve("sticky"), true);
    }

    @AfterAll
    static void stopNginx() throws IOException {
        try {
            if (sticky != null) {
                sticky.close();
            }
        } finally {
            deleteTree(tmp);
        }
    }

    record Client(String label, String mode, String localAddress, String tenantId, String salesmanId) {
    }

    @Test
    void pollingAndUpgradingSessionsStayOnTheirNodeBothNodesServeAndEmitsCrossNodes() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < PER_MODE; i++) {
            clients.add(client(run, "polling", i, "127.0.0." + (10 + i)));
            clients.add(client(run, "upgrade", i, "127.0.0." + (40 + i)));
            // websocket-only clients all from one address: the shipped key spreads them anyway (no stickiness needed)
            clients.add(client(run, "websocket", i, "127.0.0.1"));
        }
        Map<String, Client> byLabel = new LinkedHashMap<>();
        clients.forEach(c -> byLabel.put(c.label(), c));

        try (CheckRun check = CheckRun.start(sticky.url(), clients, EVENTS)) {
            JsonNode allReady = check.awaitType("all-ready", Duration.ofSeconds(40));
            assertThat(allReady.path("failed").asInt()).as("clients failed before ready:\n%s", check.diagnostics(sticky))
                    .isZero();

            // which node holds each session: each node's registry lists only its own sockets
            Map<String, TestApp> nodeOf = new LinkedHashMap<>();
            for (JsonNode ready : check.ofType("ready")) {
                String label = ready.path("label").asText();
                String sessionId = ready.path("sessionId").asText();
                boolean onA = holds(A, sessionId);
                boolean onB = holds(B, sessionId);
                assertThat(onA ^ onB).as("%s (%s) is on exactly one node (A %s, B %s)", label, sessionId, onA, onB)
                        .isTrue();
                nodeOf.put(label, onA ? A : B);
                assertThat(ready.path("acks").asInt()).as(label).isEqualTo(EVENTS);
                assertThat(ready.path("transport").asText()).as(label)
                        .isEqualTo(byLabel.get(label).mode().equals("polling") ? "polling" : "websocket");
            }
            assertThat(nodeOf.keySet()).as("every client is ready").containsExactlyInAnyOrderElementsOf(byLabel.keySet());
            for (String mode : List.of("polling", "upgrade", "websocket")) {
                Map<String, Long> perNode = new TreeMap<>();
                nodeOf.forEach((label, node) -> {
                    if (byLabel.get(label).mode().equals(mode)) {
                        perNode.merge(name(node), 1L, Long::sum);
                    }
                });
                assertThat(perNode).as("%s sessions per node: both nodes serve them behind nginx", mode)
                        .containsOnlyKeys("A", "B");
                System.out.printf("nginx sticky check: %s sessions per node %s%n", mode, perNode);
            }

            // the REST API through nginx (round robin over both nodes' application ports): cluster-wide listings, while every
            // client waits for its alert (once it has it, it sends a few more events and leaves)
            List<String> apiSample = new ArrayList<>();
            for (String node : List.of("A", "B")) {
                nodeOf.entrySet().stream().filter(e -> name(e.getValue()).equals(node)).limit(2)
                        .forEach(e -> apiSample.add(e.getKey()));
            }
            for (String label : apiSample) {
                Client c = byLabel.get(label);
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(sticky.url()
                                + "/api/websocket/tenants/" + c.tenantId() + "/connections"))
                        .header("Authorization", "Bearer " + TestApp.ADMIN_KEY).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode listing = JSON.readTree(r.body());
                assertThat(listing.path("count").asInt()).as(r.body()).isEqualTo(1);
                assertThat(listing.path("connections").get(0).path("salesmanId").asText()).isEqualTo(c.salesmanId());
            }

            // an alert for each client through the REST API of the node it is NOT on: it crosses nodes over Redis
            for (Map.Entry<String, TestApp> e : nodeOf.entrySet()) {
                Client c = byLabel.get(e.getKey());
                TestApp other = e.getValue() == A ? B : A;
                Response r = other.post("/emit/alert", TestApp.ADMIN_KEY, JSON.writeValueAsString(Map.of(
                        "tenantId", c.tenantId(), "message", alertText(c, other))));
                String body = r.readEntity(String.class);
                assertThat(r.getStatus()).as(body).isEqualTo(200);
                assertThat(JSON.readTree(body).path("delivered").asInt()).as("%s: %s", c.label(), body).isEqualTo(1);
            }

            JsonNode summary = check.awaitType("summary", Duration.ofSeconds(40));
            assertThat(summary.path("failed").asInt()).as("clients failed:\n%s", check.diagnostics(sticky)).isZero();
            assertThat(check.exitCode(Duration.ofSeconds(10))).as(check.diagnostics(sticky)).isZero();
            for (JsonNode alert : check.ofType("alert")) {
                Client c = byLabel.get(alert.path("label").asText());
                TestApp other = nodeOf.get(c.label()) == A ? B : A;
                assertThat(alert.path("message").asText()).isEqualTo(alertText(c, other));
                assertThat(alert.path("tenantId").asText()).isEqualTo(c.tenantId());
            }
            assertThat(check.ofType("alert")).as("one alert per client").hasSize(clients.size());
            for (JsonNode result : check.ofType("result")) {
                assertThat(result.path("ok").asBoolean()).as(result.toString()).isTrue();
                assertThat(result.path("acks").asInt()).as(result.toString()).isEqualTo(EVENTS + (EVENTS + 1) / 2);
            }

            // nginx's own record: each client address went to one upstream only, the node holding its session, and
            // no polling request was answered 400 (what a request reaching the wrong node gets)
            List<LogLine> log = sticky.accessLogAfter(clients.stream().filter(c -> !c.mode().equals("polling")).count());
            Map<String, Set<String>> upstreamsOf = new TreeMap<>();
            for (LogLine line : log) {
                if (line.uri().startsWith("/socket.io/")) {
                    upstreamsOf.computeIfAbsent(line.remote(), k -> new TreeSet<>()).add(line.upstream());
                }
            }
            for (Client c : clients) {
                if (c.mode().equals("websocket")) {
                    continue;
                }
                String expected = "127.0.0.1:" + nodeOf.get(c.label()).socketPort();
                assertThat(upstreamsOf.get(c.localAddress())).as("upstreams of %s (%s)", c.label(), c.localAddress())
                        .containsExactly(expected);
                List<LogLine> own = log.stream().filter(l -> l.remote().equals(c.localAddress())).toList();
                assertThat(own.size()).as("requests of %s", c.label()).isGreaterThan(c.mode().equals("polling") ? EVENTS : 2);
                // 499: nginx's "client closed the request", the poll still waiting when the client disconnects
                assertThat(own.stream().filter(l -> l.status() == 499).count()).as("%s: polls cut at the end", c.label())
                        .isLessThanOrEqualTo(1);
                assertThat(own.stream().filter(l -> l.status() != 200 && l.status() != 101 && l.status() != 499)
                        .map(LogLine::raw)).as("%s: requests answered otherwise (400: the wrong node)", c.label())
                        .isEmpty();
            }
            assertThat(upstreamsOf.get("127.0.0.1")).as("websocket-only clients of one address, spread over both nodes")
                    .containsExactlyInAnyOrder("127.0.0.1:" + A.socketPort(), "127.0.0.1:" + B.socketPort());
            assertThat(log.stream().filter(l -> l.uri().startsWith("/api/")).map(LogLine::upstream).distinct())
                    .as("the REST API upstream: round robin over both nodes")
                    .containsExactlyInAnyOrder("127.0.0.1:" + EXT_A.getLocalPort(), "127.0.0.1:" + EXT_B.getLocalPort());
        }
    }

    /** The shipped config serves the console (it answered 404 for /console/), and still nothing else but its paths. */
    @Test
    void theConsoleIsServedThroughTheProxy() throws Exception {
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(sticky.url() + "/console/"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<html");
        HttpResponse<String> other = HTTP.send(HttpRequest.newBuilder(URI.create(sticky.url() + "/admin/"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(404);
    }

    @Test
    void withoutTheHashLinePollingBreaksWithSessionIdUnknown() throws Exception {
        try (Nginx roundRobin = Nginx.start(tmp.resolve("round-robin"), false)) {
            String run = UUID.randomUUID().toString().substring(0, 8);
            try (CheckRun check = CheckRun.start(roundRobin.url(), List.of(client(run, "polling", 0, "127.0.0.90")), 2)) {
                JsonNode summary = check.awaitType("summary", Duration.ofSeconds(30));
                assertThat(summary.path("failed").asInt()).as(check.diagnostics(roundRobin)).isEqualTo(1);
                JsonNode result = check.ofType("result").get(0);
                assertThat(result.path("phase").asText()).as(result.toString()).isIn("connect", "authenticate");
            }
            // the same by hand: the handshake reaches one node, the session's next request the other
            HttpResponse<String> open = HTTP.send(HttpRequest.newBuilder(URI.create(roundRobin.url()
                    + "/socket.io/?EIO=4&transport=polling")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
            Matcher sid = Pattern.compile("\"sid\":\"([^\"]+)\"").matcher(open.body());
            assertThat(sid.find()).as(open.body()).isTrue();
            HttpResponse<String> next = HTTP.send(HttpRequest.newBuilder(URI.create(roundRobin.url()
                            + "/socket.io/?EIO=4&transport=polling&sid=" + sid.group(1)))
                    .POST(HttpRequest.BodyPublishers.ofString("40")).header("Content-Type", "text/plain").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(next.statusCode()).as(next.body()).isEqualTo(400);
            assertThat(JSON.readTree(next.body()).path("message").asText()).isEqualTo("Session ID unknown");
            assertThat(roundRobin.accessLogAfter(0).stream().map(LogLine::upstream).distinct())
                    .as("round robin used both nodes").hasSize(2);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static Client client(String run, String mode, int i, String address) {
        String label = mode + "-" + i;
        return new Client(label, mode, address, "t-" + run + "-" + label, "s-" + label);
    }

    static String alertText(Client c, TestApp via) {
        return "for " + c.label() + " via node " + name(via);
    }

    static String name(TestApp node) {
        return node == A ? "A" : "B";
    }

    static boolean holds(TestApp node, String sessionId) {
        return node.app().hub().registry().all().stream().map(Connection::id).anyMatch(sessionId::equals);
    }

    static Optional<Path> findNginx() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "nginx"));
            }
        }
        candidates.add(Path.of("/usr/sbin/nginx"));
        candidates.add(Path.of("/usr/local/sbin/nginx"));
        candidates.add(Path.of("/usr/local/nginx/sbin/nginx"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /**
     * The shipped file with the test's addresses: the {@code server} lines of each upstream become one line per test
     * node (with the shipped line's parameters), the {@code listen} line listens on 127.0.0.1:port, the access log goes
     * to the given file; {@code sticky == false} drops the socket upstream's {@code hash} line (the control). Fails
     * when the shipped file no longer has those lines in the form this replaces.
     */
    static String derive(String shipped, Map<String, List<String>> servers, int port, Path accessLog, boolean sticky) {
        Pattern upstreamStart = Pattern.compile("^\\s*upstream\\s+(\\S+)\\s*\\{\\s*$");
        Pattern server = Pattern.compile("^(\\s*)server\\s+\\S+(.*;)\\s*$");
        Pattern hash = Pattern.compile("^\\s*hash\\s+.*;\\s*$");
        Pattern listen = Pattern.compile("^(\\s*)listen\\s+[^;]+;\\s*$");
        Pattern access = Pattern.compile("^(\\s*)access_log\\s+\\S+(\\s+.*;)\\s*$");
        StringBuilder out = new StringBuilder();
        String upstream = null;
        Map<String, Integer> replaced = new LinkedHashMap<>();
        int listens = 0;
        int accessLogs = 0;
        int hashes = 0;
        for (String line : shipped.split("\n", -1)) {
            Matcher m;
            if (upstream == null && (m = upstreamStart.matcher(line)).matches()) {
                upstream = m.group(1);
            } else if (upstream != null && line.trim().equals("}")) {
                upstream = null;
            } else if (upstream != null && (m = server.matcher(line)).matches()) {
                assertThat(servers).as("an upstream the test knows: %s", upstream).containsKey(upstream);
                if (replaced.merge(upstream, 1, Integer::sum) == 1) {
                    for (String address : servers.get(upstream)) {
                        out.append(m.group(1)).append("server ").append(address).append(m.group(2)).append('\n');
                    }
                }
                continue;
            } else if (upstream != null && hash.matcher(line).matches()) {
                hashes++;
                if (!sticky) {
                    out.append("    # (test control: hash line removed, round robin)\n");
                    continue;
                }
            } else if (upstream == null && (m = listen.matcher(line)).matches()) {
                listens++;
                out.append(m.group(1)).append("listen 127.0.0.1:").append(port).append(";\n");
                continue;
            } else if (upstream == null && (m = access.matcher(line)).matches()) {
                accessLogs++;
                out.append(m.group(1)).append("access_log ").append(accessLog).append(m.group(2)).append('\n');
                continue;
            }
            out.append(line).append('\n');
        }
        assertThat(replaced).as("server lines replaced per upstream in " + SHIPPED).containsOnlyKeys(servers.keySet());
        assertThat(listens).as("listen lines in " + SHIPPED).isEqualTo(1);
        assertThat(accessLogs).as("access_log lines in " + SHIPPED).isEqualTo(1);
        assertThat(hashes).as("hash lines in the upstreams of " + SHIPPED).isEqualTo(1);
        return out.toString();
    }

    /** One line of the shipped log format. */
    record LogLine(String remote, String method, String uri, int status, String upstream, String raw) {
        static final Pattern FORMAT = Pattern.compile(
                "^(\\S+) \\[[^]]*] \"(\\S+) (\\S+)\" transport=\\S* status=(\\d+) .*? upstream=\"([^\"]*)\".*$");

        static LogLine parse(String raw) {
            Matcher m = FORMAT.matcher(raw);
            if (!m.matches()) {
                throw new AssertionError("access log line not in the shipped format: " + raw);
            }
            return new LogLine(m.group(1), m.group(2), m.group(3), Integer.parseInt(m.group(4)), m.group(5), raw);
        }
    }

    /** nginx in the foreground, its own prefix folder, one worker; stopped (and its workers killed) on close. */
    static final class Nginx implements AutoCloseable {
        final Path dir;
        final int port;
        final Process process;

        private Nginx(Path dir, int port, Process process) {
            this.dir = dir;
            this.port = port;
            this.process = process;
        }

        static Nginx start(Path dir, boolean sticky) throws Exception {
            return start(dir, sticky, Map.of(
                    "salesmate_socketio", List.of("127.0.0.1:" + A.socketPort(), "127.0.0.1:" + B.socketPort()),
                    "salesmate_api", List.of("127.0.0.1:" + EXT_A.getLocalPort(), "127.0.0.1:" + EXT_B.getLocalPort())));
        }

        /** The shipped file in front of {@code servers} (per upstream, {@code host:port} lines). */
        static Nginx start(Path dir, boolean sticky, Map<String, List<String>> servers) throws Exception {
            Files.createDirectories(dir.resolve("logs"));
            int port = TestApp.freePort();
            String site = derive(Files.readString(SHIPPED), servers, port, dir.resolve("logs/access.log"), sticky);
            Files.writeString(dir.resolve("salesmate-realtime.conf"), site);
            boolean root = "root".equals(System.getProperty("user.name"));
            String main = (root ? "user root;\n" : "") // else workers run as nobody, who cannot enter this folder
                    + "worker_processes 1;\n"
                    + "daemon off;\n"
                    + "pid " + dir.resolve("nginx.pid") + ";\n"
                    + "error_log " + dir.resolve("logs/error.log") + " notice;\n"
                    + "events { worker_connections 1024; }\n"
                    + "http {\n"
                    + "    client_body_temp_path " + dir.resolve("client_body") + ";\n"
                    + "    proxy_temp_path " + dir.resolve("proxy") + ";\n"
                    + "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n"
                    + "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n"
                    + "    scgi_temp_path " + dir.resolve("scgi") + ";\n"
                    + "    access_log off;\n"
                    + "    include " + dir.resolve("salesmate-realtime.conf") + ";\n"
                    + "}\n";
            Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, main);
            Process p = new ProcessBuilder(NGINX.orElseThrow().toString(), "-p", dir + "/", "-c", conf.toString(),
                    "-e", dir.resolve("logs/error.log").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("logs/stdout.log").toFile()).start();
            Nginx nginx = new Nginx(dir, port, p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (true) {
                if (!p.isAlive()) {
                    String why = nginx.logs();
                    nginx.close();
                    fail("nginx exited at start (%d):\n%s\n--- config ---\n%s", p.exitValue(), why, site);
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                    return nginx;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        String why = nginx.logs();
                        nginx.close();
                        fail("nginx is not listening on %d after 15 s:\n%s", port, why);
                    }
                    Thread.sleep(50);
                }
            }
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        String logs() {
            StringBuilder b = new StringBuilder();
            for (String f : List.of("stdout.log", "error.log")) {
                Path file = dir.resolve("logs").resolve(f);
                if (Files.exists(file)) {
                    try {
                        List<String> lines = Files.readAllLines(file);
                        b.append("--- nginx ").append(f).append(" (tail) ---\n")
                                .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())))
                                .append('\n');
                    } catch (IOException e) {
                        b.append(f).append(": ").append(e).append('\n');
                    }
                }
            }
            return b.toString();
        }

        /**
         * The access log, once it holds at least {@code websockets} answers 101 (nginx logs a websocket when it
         * closes, which may be a moment after the client has gone).
         */
        List<LogLine> accessLogAfter(long websockets) throws Exception {
            Path file = dir.resolve("logs/access.log");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                List<LogLine> lines = Files.exists(file)
                        ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(LogLine::parse).toList()
                        : List.of();
                if (lines.stream().filter(l -> l.status() == 101).count() >= websockets) {
                    return lines;
                }
                if (System.nanoTime() > deadline) {
                    return lines;
                }
                Thread.sleep(100);
            }
        }

        @Override
        public void close() {
            List<ProcessHandle> workers = process.descendants().toList();
            process.destroy(); // SIGTERM: fast shutdown, the master stops its workers
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            workers.forEach(ProcessHandle::destroyForcibly); // no worker outlives its master
        }
    }

    /** check.mjs running: its JSON lines as they come, its stderr kept for diagnostics. */
    static final class CheckRun implements AutoCloseable {
        final Process process;
        final BlockingQueue<JsonNode> incoming = new LinkedBlockingQueue<>();
        final List<JsonNode> seen = Collections.synchronizedList(new ArrayList<>());
        final StringBuffer stderr = new StringBuffer();
        final StringBuffer other = new StringBuffer();

        final Map<String, Client> clients = new LinkedHashMap<>();

        private CheckRun(Process process, List<Client> clients) {
            this.process = process;
            clients.forEach(c -> this.clients.put(c.label(), c));
            Thread out = new Thread(() -> read(process.getInputStream(), true), "nginx-check-stdout");
            Thread err = new Thread(() -> read(process.getErrorStream(), false), "nginx-check-stderr");
            out.setDaemon(true);
            err.setDaemon(true);
            out.start();
            err.start();
        }

        static CheckRun start(String url, List<Client> clients, int events) throws IOException {
            ArrayNode specs = JSON.createArrayNode();
            for (Client c : clients) {
                ObjectNode spec = specs.addObject();
                spec.put("label", c.label());
                spec.put("mode", c.mode());
                spec.put("localAddress", c.localAddress());
                spec.put("token", A.salesmanToken(c.tenantId(), c.salesmanId()));
            }
            ProcessBuilder pb = new ProcessBuilder("node", "check.mjs").directory(SCRIPT_DIR.toFile());
            pb.environment().put("SIO_URL", url);
            pb.environment().put("CLIENTS", specs.toString());
            pb.environment().put("EVENTS", Integer.toString(events));
            pb.environment().put("STEP_TIMEOUT_MS", "15000");
            pb.environment().put("ALERT_TIMEOUT_MS", "30000");
            pb.environment().put("START_GAP_MS", "20"); // 48 clients over a second rather than in one burst
            return new CheckRun(pb.start(), clients);
        }

        private void read(java.io.InputStream stream, boolean json) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!json) {
                        stderr.append(line).append('\n');
                        continue;
                    }
                    try {
                        JsonNode node = JSON.readTree(line);
                        seen.add(node);
                        incoming.add(node);
                    } catch (IOException notJson) {
                        other.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                stderr.append("(reading: ").append(e).append(")\n");
            }
        }

        /** Waits for the first line of that type; fails with everything seen when it does not come. */
        JsonNode awaitType(String type, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            synchronized (seen) {
                for (JsonNode n : seen) {
                    if (n.path("type").asText().equals(type)) {
                        return n;
                    }
                }
            }
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode n = left > 0 ? incoming.poll(left, TimeUnit.NANOSECONDS) : null;
                if (n == null) {
                    throw new AssertionError("check.mjs printed no " + type + " line within " + limit + ":\n"
                            + diagnostics(null));
                }
                if (n.path("type").asText().equals(type)) {
                    return n;
                }
            }
        }

        List<JsonNode> ofType(String type) {
            synchronized (seen) {
                return seen.stream().filter(n -> n.path("type").asText().equals(type)).toList();
            }
        }

        int exitCode(Duration limit) throws InterruptedException {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("check.mjs did not exit within " + limit);
            }
            return process.exitValue();
        }

        String diagnostics(Nginx nginx) {
            StringBuilder b = new StringBuilder();
            synchronized (seen) {
                seen.stream().filter(n -> !n.path("ok").asBoolean(true) || n.path("type").asText().endsWith("ready"))
                        .sorted(Comparator.comparing(n -> n.path("type").asText()))
                        .forEach(n -> b.append(n).append('\n'));
            }
            if (!other.isEmpty()) {
                b.append("--- check.mjs other output ---\n").append(other);
            }
            if (!stderr.isEmpty()) {
                b.append("--- check.mjs stderr ---\n").append(stderr);
            }
            if (nginx != null) {
                b.append(nginx.logs());
                // what nginx saw of each failed client (one source address per polling client)
                Set<String> failedAddresses = new TreeSet<>();
                synchronized (seen) {
                    seen.stream().filter(n -> n.path("type").asText().equals("result") && !n.path("ok").asBoolean())
                            .map(n -> clients.get(n.path("label").asText()))
                            .filter(c -> c != null && !c.mode().equals("websocket"))
                            .forEach(c -> failedAddresses.add(c.localAddress()));
                }
                Path log = nginx.dir.resolve("logs/access.log");
                if (!failedAddresses.isEmpty() && Files.exists(log)) {
                    try {
                        for (String line : Files.readAllLines(log)) {
                            if (failedAddresses.contains(line.split(" ", 2)[0])) {
                                b.append("access.log: ").append(line).append('\n');
                            }
                        }
                    } catch (IOException e) {
                        b.append("access.log: ").append(e).append('\n');
                    }
                }
            }
            return b.toString();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                }
            }
        }
    }

    static String run(Path dir, Duration limit, String... command) throws Exception {
        return NodeScripts.run(dir, limit, Map.of(), command);
    }

    static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
