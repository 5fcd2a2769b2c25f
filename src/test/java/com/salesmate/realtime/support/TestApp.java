package com.salesmate.realtime.support;

import com.salesmate.realtime.RealtimeApplication;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.core.Role;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The real service for app-level tests: test-config.yml, a free Socket.IO port picked first (netty-socketio does
 * not expose its bound port), a fresh SQLite file and data folder per instance. Use as a static field with
 * {@code @RegisterExtension}-free {@code DropwizardExtensionsSupport}: {@code static final TestApp APP = TestApp.create();}
 * and {@code static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();}.
 */
public final class TestApp {
    public static final String JWT_SECRET = "test-secret-0123456789";
    public static final String ADMIN_KEY = "test-admin-key-0123456789";
    public static final String TENANT_A_KEY = "tenant-a-key-0123456789";
    public static final String TENANT_B_KEY = "tenant-b-key";
    public static final String ALLOWED_ORIGIN = "https://app.salesmate.test";

    private final int socketPort;
    private final Path dataDir;
    private final DropwizardAppExtension<RealtimeConfiguration> extension;
    private final TokenService tokens = new TokenService(JWT_SECRET, Optional.empty(), Clock.systemUTC());

    private TestApp(String databaseUrl, boolean clusterNode, ConfigOverride... extra) {
        this.socketPort = freePort();
        try {
            this.dataDir = Files.createTempDirectory("salesmate-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<ConfigOverride> overrides = new ArrayList<>();
        overrides.add(ConfigOverride.config("socketio.port", Integer.toString(socketPort)));
        overrides.add(ConfigOverride.config("dataDir", dataDir.toString()));
        overrides.add(ConfigOverride.config("database.url",
                databaseUrl != null ? databaseUrl : "jdbc:sqlite:" + dataDir.resolve("test.db")));
        if (!clusterNode) {
            // a single node says so: two apps of one class restore the dw.* properties they set in the order they set
            // them, so a cluster test class leaves its redisUrl behind for the classes after it
            overrides.add(ConfigOverride.config("redisUrl", ""));
        }
        overrides.addAll(List.of(extra));
        this.extension = new DropwizardAppExtension<>(RealtimeApplication.class,
                ResourceHelpers.resourceFilePath("test-config.yml"), overrides.toArray(ConfigOverride[]::new)) {
            @Override
            public void after() {
                try {
                    super.after();
                } finally {
                    // every app has read its configuration by now; what two apps of one class restore in the wrong
                    // order (a socketio.recoveryWindow, a port) must not configure the next class's app
                    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("dw."))
                            .forEach(System::clearProperty);
                }
            }
        };
    }

    /** The service on a fresh SQLite file. */
    public static TestApp create(ConfigOverride... extra) {
        return new TestApp(null, false, extra);
    }

    /** The service on the given database URL (e.g. a throwaway PostgreSQL database). */
    public static TestApp withDatabase(String url, ConfigOverride... extra) {
        return new TestApp(url, false, extra);
    }

    /** A cluster node: {@code extra} names its redisUrl. */
    static TestApp clusterNode(String url, ConfigOverride... extra) {
        return new TestApp(url, true, extra);
    }

    public DropwizardAppExtension<RealtimeConfiguration> extension() {
        return extension;
    }

    public RealtimeApplication app() {
        return extension.getApplication();
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path sqliteFile() {
        return dataDir.resolve("test.db");
    }

    public String socketUrl() {
        return "http://127.0.0.1:" + socketPort;
    }

    public int socketPort() {
        return socketPort;
    }

    public String apiUrl(String path) {
        return "http://127.0.0.1:" + extension.getLocalPort() + "/api/websocket" + path;
    }

    public String adminUrl(String path) {
        return "http://127.0.0.1:" + extension.getAdminPort() + path;
    }

    /**
     * Runs the admin port's disconnect task with the admin key ({@code query}: {@code salesmanId=...} or
     * {@code tenantId=...}, maybe {@code &revokeFor=1h}); the JDK's client, which answers what the task answered.
     */
    public java.net.http.HttpResponse<String> disconnectTask(String query) throws IOException, InterruptedException {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(adminUrl("/tasks/disconnect?" + query)))
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    public String salesmanToken(String tenantId, String salesmanId) {
        return tokens.mint("user-" + salesmanId, tenantId, Role.SALESMAN, salesmanId, Duration.ofHours(1));
    }

    public String managerToken(String tenantId, String userId) {
        return tokens.mint(userId, tenantId, Role.MANAGER, null, Duration.ofHours(1));
    }

    public String token(String userId, String tenantId, Role role, String salesmanId, Duration ttl) {
        return tokens.mint(userId, tenantId, role, salesmanId, ttl);
    }

    public TokenService tokens() {
        return tokens;
    }

    /** A meter's (or counter's) count, or a gauge's value, on the admin port's /metrics JSON; 0 when not registered. */
    public long meter(String name) {
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(adminUrl("/metrics"))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("/metrics answered " + r.statusCode());
            }
            com.fasterxml.jackson.databind.JsonNode metrics = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
            com.fasterxml.jackson.databind.JsonNode m = metrics.path("meters").path(name);
            if (m.isMissingNode()) {
                m = metrics.path("counters").path(name);
            }
            if (m.isMissingNode()) { // a gauge: its value
                return metrics.path("gauges").path(name).path("value").asLong(0);
            }
            return m.path("count").asLong(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A REST request with {@code Authorization: Bearer credential} (none when null). */
    public Invocation.Builder request(String path, String credential) {
        Invocation.Builder b = extension.client().target(apiUrl(path)).request(MediaType.APPLICATION_JSON_TYPE);
        return credential == null ? b : b.header("Authorization", "Bearer " + credential);
    }

    public Response get(String path, String credential) {
        return request(path, credential).get();
    }

    /** The status of a GET, with the response closed (an unread one holds a pooled connection of the client). */
    public int status(String path, String credential) {
        try (Response r = get(path, credential)) {
            return r.getStatus();
        }
    }

    public Response post(String path, String credential, String json) {
        return request(path, credential).post(Entity.entity(json, MediaType.APPLICATION_JSON_TYPE));
    }

    /** GET that must answer 200; its JSON body. */
    public com.fasterxml.jackson.databind.JsonNode getOk(String path, String credential) {
        return ok(path, get(path, credential));
    }

    /** POST that must answer 200; its JSON body. */
    public com.fasterxml.jackson.databind.JsonNode postOk(String path, String credential, String json) {
        return ok(path, post(path, credential, json));
    }

    private static com.fasterxml.jackson.databind.JsonNode ok(String path, Response r) {
        String text = r.readEntity(String.class);
        org.assertj.core.api.Assertions.assertThat(r.getStatus()).as(path + ": " + text).isEqualTo(200);
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A free port below the kernel's ephemeral range (32768 and up here): a port picked from that range can be taken
     * by an outgoing connection or a port-0 listener between the pick and the server's bind.
     */
    public static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port in 20000-31999"));
    }
}
