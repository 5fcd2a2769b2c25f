package com.salesmate.realtime.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.support.TestApp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus} binary) run by a test: its own temporary storage, a free
 * port on 127.0.0.1, a config the test writes; asked through its HTTP API; stopped on close.
 */
final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path dir;
    private final int port;
    private final Process process;

    private PrometheusServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** The binary: {@code $PROMETHEUS}, else {@code prometheus} on the PATH, else Debian's /usr/bin/prometheus. */
    static Optional<Path> find() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("PROMETHEUS");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty()) {
                candidates.add(Path.of(d, "prometheus"));
            }
        }
        candidates.add(Path.of("/usr/bin/prometheus"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** Starts {@code binary} with {@code config} (prometheus.yml text) and waits until it is ready (30 s at most). */
    static PrometheusServer start(Path binary, String config) throws Exception {
        Path dir = Files.createTempDirectory("prometheus-test");
        Path configFile = dir.resolve("prometheus.yml");
        Files.writeString(configFile, config);
        int port = TestApp.freePort();
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.retention.time=1h")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(dir, port, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (!p.isAlive()) {
                String log = server.log();
                server.close();
                throw new AssertionError("prometheus exited at start (" + p.exitValue() + "):\n" + log);
            }
            try {
                HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(server.uri("/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return server;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                String log = server.log();
                server.close();
                throw new AssertionError("prometheus not ready on " + port + " after 30 s:\n" + log);
            }
            Thread.sleep(100);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** GET of an API path; the JSON answer, whatever its status (errors are JSON too). */
    JsonNode api(String pathAndQuery) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(20))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An instant query at now: the API's answer ({@code status}, {@code data.result} or {@code error}). */
    JsonNode query(String promql) {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** The server's own log (its start-up and scrape errors), for failure messages. */
    String log() {
        try {
            Path f = dir.resolve("prometheus.log");
            if (!Files.exists(f)) {
                return "(no log)";
            }
            List<String> lines = Files.readAllLines(f);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(dir)) { // its TSDB: a few MB per run
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder
        }
    }
}
