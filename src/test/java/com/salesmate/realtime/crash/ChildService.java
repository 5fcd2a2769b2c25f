package com.salesmate.realtime.crash;

import com.salesmate.realtime.RealtimeApplication;
import com.salesmate.realtime.support.TestApp;

import java.io.IOException;
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
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The service as a child process, the way it runs in production ({@code RealtimeApplication server config.yml}), so
 * that it can be killed for real. The shaded jar is not built during {@code mvn test}, so the child runs on this
 * JVM's test class path. Each instance has its own folder with the config, the SQLite file and the child's log;
 * {@link #start()} may be called again after the process died, on the same ports and files.
 */
public final class ChildService implements AutoCloseable {
    public static final String JWT_SECRET = "crash-test-secret-0123456789";
    public static final String ADMIN_KEY = "crash-test-admin-key-0123456789";
    private static final Duration START_BOUND = Duration.ofSeconds(90);

    private final Path dir;
    private final Path config;
    private final Path log;
    private final Path sqlite;
    private final int appPort = TestApp.freePort();
    private final int adminPort = TestApp.freePort();
    private final int socketPort = TestApp.freePort();
    private final Duration shutdownTimeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    ChildService(Path dir, int rateLimitPerSecond, Duration shutdownTimeout) {
        this(dir, rateLimitPerSecond, shutdownTimeout, null, "redisUrl: \"\"\n");
    }

    /** On its own SQLite file, its WAL checkpointed every {@code checkpointInterval} (config.yml's default: 200ms). */
    ChildService(Path dir, int rateLimitPerSecond, Duration shutdownTimeout, Duration checkpointInterval) {
        this(dir, rateLimitPerSecond, shutdownTimeout, null, "redisUrl: \"\"\n", checkpointInterval);
    }

    /**
     * A child on {@code databaseUrl} (null: its own SQLite file), with {@code clusterYaml} as its {@code redisUrl} and
     * {@code cluster} settings (top-level YAML).
     */
    public ChildService(Path dir, int rateLimitPerSecond, Duration shutdownTimeout, String databaseUrl,
                        String clusterYaml) {
        this(dir, rateLimitPerSecond, shutdownTimeout, databaseUrl, clusterYaml, Duration.ofMillis(200));
    }

    private ChildService(Path dir, int rateLimitPerSecond, Duration shutdownTimeout, String databaseUrl,
                         String clusterYaml, Duration checkpointInterval) {
        this.dir = dir;
        this.config = dir.resolve("crash-config.yml");
        this.log = dir.resolve("service.log");
        this.sqlite = dir.resolve("data").resolve("crash.db");
        this.shutdownTimeout = shutdownTimeout;
        String yaml = """
                server:
                  applicationConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %d
                  adminConnectors:
                    - type: http
                      bindHost: 127.0.0.1
                      port: %d
                  registerDefaultExceptionMappers: false
                  shutdownGracePeriod: 1s
                logging:
                  level: WARN
                  loggers:
                    com.salesmate.realtime: INFO
                dataDir: %s
                %sshutdownTimeout: %ds
                database:
                  url: %s
                  migrateOnStart: true
                  sqliteSynchronous: FULL
                  sqliteCheckpointInterval: %dms
                socketio:
                  host: 127.0.0.1
                  port: %d
                  allowedOrigins: "https://app.salesmate.test"
                  authTimeout: 10s
                  rateLimitPerSecond: %d
                auth:
                  jwtSecret: %s
                  adminApiKey: %s
                locations:
                  queueCapacity: 20000
                  maxBatch: 500
                  highWaterMark: 15000
                """.formatted(appPort, adminPort, dir.resolve("data"), clusterYaml, shutdownTimeout.toSeconds(),
                databaseUrl != null ? databaseUrl : "jdbc:sqlite:" + sqlite, checkpointInterval.toMillis(),
                socketPort, rateLimitPerSecond, JWT_SECRET, ADMIN_KEY);
        try {
            Files.writeString(config, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Launches the child and waits until its Socket.IO port accepts and the admin health check answers 200. */
    public void start() throws Exception {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(javaBin, "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                RealtimeApplication.class.getName(), "server", config.toString()))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Files.writeString(log, "==== start " + Instant.now() + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        process = pb.start();
        long deadline = System.nanoTime() + START_BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("service exited with " + process.exitValue() + " while starting:\n" + logTail());
            }
            if (accepts(socketPort) && healthy()) {
                return;
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new AssertionError("service not ready within " + START_BOUND + ":\n" + logTail());
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean healthy() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(adminUrl("/healthcheck")))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL: no shutdown hook, no drain; waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("process still alive 30 s after SIGKILL");
        }
    }

    /** SIGTERM; answers the exit code, or null if it did not exit within {@code wait}. */
    public Integer terminate(Duration wait) throws InterruptedException {
        process.destroy();
        return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    public String socketUrl() {
        return "http://127.0.0.1:" + socketPort;
    }

    public int socketPort() {
        return socketPort;
    }

    public int appPort() {
        return appPort;
    }

    /** A REST path of the application port, e.g. {@code apiUrl("/emit/alert")}. */
    public String apiUrl(String path) {
        return "http://127.0.0.1:" + appPort + "/api/websocket" + path;
    }

    public String adminUrl(String path) {
        return "http://127.0.0.1:" + adminPort + path;
    }

    Path sqliteFile() {
        return sqlite;
    }

    Path logFile() {
        return log;
    }

    Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Kills the child if it is still running (test failure or timeout). */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
