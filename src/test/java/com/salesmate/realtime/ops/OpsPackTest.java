package com.salesmate.realtime.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.crash.ChildService;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.RawEngineIo;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import com.sun.net.httpserver.HttpServer;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operations pack (SPEC 11) against real nodes: the Grafana dashboard and the alert rules name only metrics the
 * service exports, every dashboard panel returns data from a real Prometheus scraping the nodes, the rules load and
 * evaluate there without error (and alert on a dead target only), and every rule has its runbook section.
 *
 * <p>Two nodes in this JVM, each on its own SQLite file: a single node, which gets the traffic of a field day (a
 * manager and a salesman authenticate, acknowledged location updates at a customer site make a visit, a REST alert
 * and notification, a webhook delivery, a refused authentication, a refused handshake, a dropped and recovered
 * socket, one that asked to recover and started fresh), and a cluster node on the real Redis, for the metrics that
 * only cluster mode exports ({@link #CLUSTER_ONLY}): it publishes an emit and reads a well-formed and a malformed
 * entry appended to its stream. And a third node started the way production starts it, as a child process
 * ({@code RealtimeApplication server config.yml}), for the JVM's gauges ({@link #PROCESS_ONLY}): Dropwizard registers
 * them in {@code Application.run}, which the in-process harness (DropwizardAppExtension) does not call.
 *
 * <p>The Prometheus part needs Debian's {@code prometheus} package ({@code .ci/run} installs it): skipped without it,
 * unless {@code CI=true}, then it fails.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(240)
class OpsPackTest {
    static final Path DASHBOARD = Path.of("ops/grafana/salesmate-realtime.json");
    static final Path RULES = Path.of("ops/prometheus/alerts.yml");
    static final Path RULE_TESTS = Path.of("ops/prometheus/alerts.test.yml");
    static final Path RUNBOOKS = Path.of("docs/operations.md");
    static final boolean CI = "true".equals(System.getenv("CI"));
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Metrics only a node in cluster mode exports: the Redis bus's and the redis health check's. */
    static final Pattern CLUSTER_ONLY = Pattern.compile("cluster_.*|health_redis");
    /** Metrics only a node started from the command line exports: the JVM's (memory, GC, buffers, threads). */
    static final Pattern PROCESS_ONLY = Pattern.compile("jvm_.*");
    /** Series Prometheus makes itself, not the service. */
    static final Set<String> PROMETHEUS_OWN = Set.of("up");
    static final String JOB = "salesmate-realtime";

    // recovery is on by default, off in test-config.yml
    static final TestApp NODE = TestApp.create(ConfigOverride.config("webhooks.allowPrivate", "true"),
            ConfigOverride.config("socketio.recoveryWindow", "2m"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = NODE.extension();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    static final TestApp CLUSTER_NODE = CLUSTER.node(null, ConfigOverride.config("socketio.recoveryWindow", "2m"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_CLUSTER = CLUSTER_NODE.extension();

    static ChildService process;
    static HttpServer receiver;
    static final AtomicInteger WEBHOOKS_RECEIVED = new AtomicInteger();

    /** The traffic that makes every family of the dashboard exist (labelled ones exist from their first event). */
    @BeforeAll
    static void fieldDay() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            WEBHOOKS_RECEIVED.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        singleNodeTraffic();
        clusterNodeTraffic();
        process = new ChildService(Files.createTempDirectory("ops-pack-child"), 10, Duration.ofSeconds(5), null,
                "redisUrl: \"\"\n");
        process.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (receiver != null) {
            receiver.stop(0);
        }
        if (process != null) {
            process.close();
        }
    }

    static String adminAddress(String adminUrl) {
        return URI.create(adminUrl).getAuthority();
    }

    static void singleNodeTraffic() throws Exception {
        String t = "ops-" + UUID.randomUUID().toString().substring(0, 8);
        put("/webhooks/crm", Map.of("tenantId", t, "url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                "events", List.of("visit.arrived", "visit.checked_in", "alert.created")));
        double lat = 12.9716;
        double lng = 77.5946;
        put("/sites/hq", Map.of("tenantId", t, "name", "HQ", "latitude", lat, "longitude", lng, "dwell", 0));
        try (SioClient manager = SioClient.authenticated(NODE.socketUrl(), NODE.managerToken(t, "boss"));
             SioClient salesman = SioClient.authenticated(NODE.socketUrl(), NODE.salesmanToken(t, "ravi"))) {
            long t0 = System.currentTimeMillis() - 600_000;
            for (long at : new long[] {t0, t0 + 30_000}) {
                JSONObject ack = salesman.emitAck("location:update", new JSONObject().put("latitude", lat)
                        .put("longitude", lng).put("accuracy", 5).put("timestamp", at));
                assertThat(ack.getBoolean("success")).as(ack.toString()).isTrue();
            }
            assertThat(manager.awaitObject("location:updated").getString("salesmanId")).isEqualTo("ravi");
            NODE.postOk("/emit/alert", TestApp.ADMIN_KEY,
                    "{\"tenantId\":\"" + t + "\",\"message\":\"ops check\",\"severity\":\"info\"}");
            assertThat(manager.awaitObject("alert").getString("message")).isEqualTo("ops check");
            NODE.postOk("/emit/notification", TestApp.ADMIN_KEY,
                    "{\"tenantId\":\"" + t + "\",\"salesmanId\":\"ravi\",\"message\":\"call HQ\"}");
            salesman.awaitObject("notification");
        }
        // a refused authentication (its socket is closed for it)
        try (SioClient bad = SioClient.anonymous(NODE.socketUrl())) {
            JSONObject nack = bad.emitAck("authenticate", new JSONObject().put("token", "not-a-jwt"));
            assertThat(nack.getJSONObject("error").getString("code")).isEqualTo("invalid_token");
            bad.awaitDisconnected();
        }
        // a handshake from an Origin outside the allow-list
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(NODE.socketUrl() + "/socket.io/?EIO=4&transport=polling"))
                .header("Origin", "https://evil.example").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        recoveredAndFresh(t);
        // the visit and the webhooks (the sender polls its outbox every 200 ms)
        await().atMost(Duration.ofSeconds(45)).until(() -> NODE.meter("visits.events.arrived") > 0
                && WEBHOOKS_RECEIVED.get() >= 2);
    }

    /** A manager whose network drops comes back with its pid and offset (recovered, the gap replayed); another asks
     *  with a pid nobody knows (fresh). */
    static void recoveredAndFresh(String t) throws Exception {
        Duration wait = Duration.ofSeconds(10);
        String boss = NODE.managerToken(t, "boss-2");
        RawEngineIo first = RawEngineIo.websocket(NODE.socketUrl());
        String pid = connect(first, RawEngineIo.object("token", boss)).getString("pid");
        first.awaitEvent("authenticated", wait);
        NODE.postOk("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + t + "\",\"message\":\"before\"}");
        String packet = first.awaitPacket(RawEngineIo.eventPacket("alert"), wait);
        JSONArray args = RawEngineIo.parseArray(packet.substring(2));
        String offset = args.getString(args.length() - 1);
        first.drop();
        NODE.postOk("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + t + "\",\"message\":\"gap\"}");
        try (RawEngineIo back = RawEngineIo.websocket(NODE.socketUrl());
             RawEngineIo stranger = RawEngineIo.websocket(NODE.socketUrl())) {
            assertThat(connect(back, RawEngineIo.object("token", boss, "pid", pid, "offset", offset)).getString("pid"))
                    .isEqualTo(pid);
            assertThat(back.awaitEvent("alert", wait).getString("message")).isEqualTo("gap");
            assertThat(connect(stranger, RawEngineIo.object("token", boss, "pid", "no-such-pid")).getString("pid"))
                    .isNotEqualTo("no-such-pid");
            stranger.awaitEvent("authenticated", wait);
        }
    }

    static JSONObject connect(RawEngineIo c, JSONObject auth) throws Exception {
        c.send("40" + auth);
        String answer = c.awaitPacket(RawEngineIo::isConnectAnswer, Duration.ofSeconds(10));
        assertThat(answer).as("CONNECT answer").startsWith("40{");
        return RawEngineIo.parseObject(answer.substring(2));
    }

    static void clusterNodeTraffic() throws Exception {
        String t = ClusterNodes.tenant();
        String room = "tenant:" + t;
        RedisClient client = RedisClient.create(ClusterNodes.REDIS);
        try (StatefulRedisConnection<String, String> redis = client.connect();
             SioClient manager = SioClient.authenticated(CLUSTER_NODE.socketUrl(), CLUSTER_NODE.managerToken(t, "m"))) {
            CLUSTER_NODE.postOk("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + t + "\",\"message\":\"published\"}");
            assertThat(manager.awaitObject("alert").getString("message")).isEqualTo("published");
            // entries another node (here: the test, as a Node.js server with the Redis Streams adapter) appends
            String alert = JSON.writeValueAsString(Map.of(
                    "packet", Map.of("type", 2, "nsp", "/", "data", List.of("alert",
                            Map.of("tenantId", t, "message", "from the stream", "severity", "info"))),
                    "opts", Map.of("rooms", List.of(room), "except", List.of(), "flags", Map.of())));
            redis.sync().xadd(CLUSTER.streamName(), entry(alert.substring(0, alert.length() - 5))); // malformed
            redis.sync().xadd(CLUSTER.streamName(), entry(alert));
            assertThat(manager.awaitObject("alert").getString("message")).isEqualTo("from the stream");
            await().atMost(Duration.ofSeconds(5)).until(() -> CLUSTER_NODE.meter("cluster.messages.dropped") > 0);
        } finally {
            client.shutdown();
        }
    }

    static Map<String, String> entry(String data) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("uid", "ops-pack-test");
        body.put("nsp", "/");
        body.put("type", "3");
        body.put("data", data);
        return body;
    }

    static void put(String path, Map<String, ?> body) throws IOException {
        try (Response r = NODE.request(path, TestApp.ADMIN_KEY)
                .put(Entity.entity(JSON.writeValueAsString(body), MediaType.APPLICATION_JSON_TYPE))) {
            assertThat(r.getStatus()).as(path + ": " + r.readEntity(String.class)).isEqualTo(200);
        }
    }

    // ------------------------------------------------------------------ what the pack names

    /** A panel's query: its panel, refId and expression. */
    record Query(String panel, String refId, String expr) {
        @Override
        public String toString() {
            return "'" + panel + "' " + refId + ": " + expr;
        }
    }

    static List<Query> dashboardQueries() throws IOException {
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        List<Query> queries = new ArrayList<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            panels.add(p);
            p.path("panels").forEach(panels::add); // panels of a collapsed row
        });
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(new Query(panel.path("title").asText(), target.path("refId").asText(),
                        target.path("expr").asText()));
            }
        }
        return queries;
    }

    static List<JsonNode> rules() throws IOException {
        List<JsonNode> rules = new ArrayList<>();
        YAML.readTree(RULES.toFile()).path("groups").forEach(g -> g.path("rules").forEach(rules::add));
        return rules;
    }

    /**
     * Every sample name of a node's /prometheus (a histogram's _bucket, _sum, _count; a counter's _total). The scrape
     * is kept in target/ops-pack/{@code file} for a look after a failure.
     */
    static Set<String> scrape(String url, String file) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Files.createDirectories(Path.of("target/ops-pack"));
        Files.writeString(Path.of("target/ops-pack", file), r.body());
        Set<String> names = new TreeSet<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    @Test
    void everyMetricTheDashboardAndTheRulesNameIsExportedByARealNode() throws Exception {
        Set<String> single = scrape(NODE.adminUrl("/prometheus"), "single-node.prom");
        Set<String> cluster = scrape(CLUSTER_NODE.adminUrl("/prometheus"), "cluster-node.prom");
        Set<String> child = scrape(process.adminUrl("/prometheus"), "child-process.prom");
        Set<String> all = new TreeSet<>(single);
        all.addAll(cluster);
        all.addAll(child);
        // what the single node does not export, the cluster node does, and only the cluster-only families
        assertThat(single).as("the single node's scrape").contains("socketio_connections_active")
                .noneMatch(n -> CLUSTER_ONLY.matcher(n).matches());
        assertThat(cluster).as("the cluster node's scrape").contains("cluster_nodes", "cluster_messages_published_total");
        assertThat(child).as("the child process's scrape").contains("socketio_connections_active", "jvm_memory_heap_used");

        Map<String, PromQlNames> used = new LinkedHashMap<>();
        for (Query q : dashboardQueries()) {
            used.put("dashboard " + q, PromQlNames.of(q.expr()));
        }
        JsonNode templating = JSON.readTree(DASHBOARD.toFile()).path("templating").path("list");
        for (JsonNode variable : templating) {
            String query = variable.path("query").path("query").asText(variable.path("definition").asText());
            used.put("dashboard variable $" + variable.path("name").asText() + ": " + query,
                    PromQlNames.of(query.replaceFirst("^label_values\\(([^,{)]+).*$", "$1")));
        }
        for (JsonNode rule : rules()) {
            used.put("rule " + rule.path("alert").asText() + ": " + rule.path("expr").asText(),
                    PromQlNames.of(rule.path("expr").asText()));
        }
        assertThat(used).as("queries found").hasSizeGreaterThan(60);

        Set<String> names = new TreeSet<>();
        Map<String, Set<String>> missing = new LinkedHashMap<>();
        for (Map.Entry<String, PromQlNames> e : used.entrySet()) {
            for (String name : e.getValue().names()) {
                if (PROMETHEUS_OWN.contains(name)) {
                    continue;
                }
                names.add(name);
                Set<String> exporter = CLUSTER_ONLY.matcher(name).matches() ? cluster
                        : PROCESS_ONLY.matcher(name).matches() ? child : single;
                if (!exporter.contains(name)) {
                    missing.computeIfAbsent(name, n -> new TreeSet<>()).add(e.getKey());
                }
            }
            for (String pattern : e.getValue().patterns()) {
                Pattern p = Pattern.compile(pattern);
                if (all.stream().noneMatch(n -> p.matcher(n).matches())) {
                    missing.computeIfAbsent("{__name__=~\"" + pattern + "\"}", n -> new TreeSet<>()).add(e.getKey());
                }
            }
        }
        System.out.printf("ops pack: %d metric names in the dashboard and the rules, %d missing from the scrape: %s%n",
                names.size(), missing.size(), missing.keySet());
        assertThat(missing).as("metric names the dashboard or the rules use that no node exports (name -> where)")
                .isEmpty();
    }

    @Test
    void everyDashboardPanelReturnsDataFromARealPrometheusAndTheRulesEvaluateThere() throws Exception {
        Path binary = PrometheusServer.find().orElse(null);
        if (binary == null) {
            String why = "no prometheus binary (PATH, /usr/bin/prometheus or $PROMETHEUS): apt-get install -y prometheus";
            if (CI) {
                throw new AssertionError(why);
            }
            Assumptions.abort(why);
        }
        String single = "127.0.0.1:" + EXT.getAdminPort();
        String cluster = "127.0.0.1:" + EXT_CLUSTER.getAdminPort();
        String child = adminAddress(process.adminUrl(""));
        String dead = "127.0.0.1:" + TestApp.freePort(); // nothing listens: up == 0, the one alert due
        String config = """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: %s
                    metrics_path: /prometheus
                    static_configs:
                      - targets: ['%s', '%s', '%s', '%s']
                """.formatted(RULES.toAbsolutePath(), JOB, single, cluster, child, dead);
        try (PrometheusServer prometheus = PrometheusServer.start(binary, config)) {
            // a few scrapes of the three nodes, so that rates over 30 s have their two samples
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode r = prometheus.query("count_over_time(up{job=\"" + JOB + "\"}[1m]) >= 4 and up == 1");
                assertThat(r.path("data").path("result")).as("scraped 4 times and up: %s\n%s", r, prometheus.log())
                        .hasSize(3);
            });

            // every rule loaded and evaluated without error; on these nodes only the dead target alerts
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode groups = prometheus.api("/api/v1/rules").path("data").path("groups");
                Map<String, String> health = new LinkedHashMap<>();
                groups.forEach(g -> g.path("rules").forEach(r -> health.put(r.path("name").asText(),
                        r.path("health").asText() + " " + r.path("lastError").asText())));
                assertThat(health.keySet()).as("rules loaded").hasSize(rules().size());
                assertThat(health).as("rule health").allSatisfy((name, h) -> assertThat(h.trim()).isEqualTo("ok"));
            });
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode alerts = prometheus.api("/api/v1/alerts").path("data").path("alerts");
                List<String> active = new ArrayList<>();
                alerts.forEach(a -> active.add(a.path("labels").path("alertname").asText() + " "
                        + a.path("labels").path("instance").asText()));
                assertThat(active).as("active alerts").containsExactly("SalesmateNodeDown " + dead);
            });

            List<String> empty = new ArrayList<>();
            List<Query> queries = dashboardQueries();
            for (Query q : queries) {
                String expr = q.expr().replace("$__rate_interval", "30s").replace("$job", ".*")
                        .replace("$instance", ".*");
                JsonNode answer = prometheus.query(expr);
                if (!"success".equals(answer.path("status").asText())) {
                    empty.add(q + " -> error " + answer.path("error").asText());
                } else if (answer.path("data").path("result").isEmpty()) {
                    empty.add(q + " -> no series");
                }
            }
            System.out.printf("ops pack: %d of %d dashboard queries return no data:%n  %s%n", empty.size(),
                    queries.size(), String.join("\n  ", empty));
            assertThat(empty).as("dashboard queries with no data from Prometheus scraping the three nodes")
                    .isEmpty();
        }
    }

    @Test
    void everyRuleHasASeveritySummaryDescriptionARunbookSectionAndTestsThatFireAndStayQuiet() throws Exception {
        Set<String> anchors = new LinkedHashSet<>();
        for (String line : Files.readAllLines(RUNBOOKS)) {
            if (line.startsWith("#")) {
                anchors.add(slug(line.replaceFirst("^#+\\s*", "")));
            }
        }
        JsonNode tests = YAML.readTree(RULE_TESTS.toFile()).path("tests");
        Set<String> fires = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        tests.forEach(t -> t.path("alert_rule_test").forEach(a ->
                (a.path("exp_alerts").isEmpty() ? quiet : fires).add(a.path("alertname").asText())));
        List<JsonNode> rules = rules();
        assertThat(rules).hasSizeGreaterThanOrEqualTo(14);
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("critical", "warning");
            assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
            assertThat(rule.path("annotations").path("description").asText()).as(name).isNotBlank();
            String runbook = rule.path("annotations").path("runbook_url").asText();
            assertThat(runbook).as(name).isEqualTo("docs/operations.md#" + name.toLowerCase(Locale.ROOT));
            assertThat(anchors).as("sections of " + RUNBOOKS).contains(runbook.substring(runbook.indexOf('#') + 1));
            assertThat(fires).as("rules with a test where they fire").contains(name);
            assertThat(quiet).as("rules with a test where they stay quiet").contains(name);
        }
        assertThat(rules.stream().map(r -> r.path("alert").asText()).collect(Collectors.toSet()))
                .as("every tested alert is a rule").containsAll(fires).containsAll(quiet);
    }

    @Test
    void thePromQlScanFindsTheMetricNamesAndNoFunctionLabelOrVariable() {
        assertThat(PromQlNames.of("histogram_quantile(0.99, sum by (job, le) (rate(locations_ack_seconds_bucket"
                + "{job=~\"$job\", instance=~\"$instance\"}[$__rate_interval]))) > 0.25 and on (job) "
                + "sum without (instance) (up offset 5m) / ignoring (le) x:y_total * 1e3"))
                .isEqualTo(new PromQlNames(Set.of("locations_ack_seconds_bucket", "up", "x:y_total"), Set.of()));
        PromQlNames gc = PromQlNames.of("sum by (instance, gc) (rate(label_replace({__name__=~\"jvm_gc_.+_time\","
                + " job=~\"$job\"}, \"gc\", \"$1\", \"__name__\", \"jvm_gc_(.+)_time\")[30s:])) / 1000");
        assertThat(gc.names()).isEmpty();
        assertThat(gc.patterns()).containsExactly("jvm_gc_.+_time");
        assertThat(PromQlNames.of("{__name__=\"health_ready\"} == 0").names()).containsExactly("health_ready");
    }

    /** The anchor GitHub (and GitLab, Gitea) make of a heading: lower case, punctuation dropped, spaces as '-'. */
    static String slug(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
