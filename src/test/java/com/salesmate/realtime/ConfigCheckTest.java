package com.salesmate.realtime;

import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.cli.CheckCommand;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.util.JarLocation;
import org.apache.commons.text.StringSubstitutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every shipped YAML passes the {@code check} command, run in-process through Dropwizard's {@link Cli} (not
 * {@code Application.run}, which would exit the JVM on failure), both as the application bootstraps it and with every
 * {@code ${VAR:-default}} placeholder forced to its default.
 */
class ConfigCheckTest {

    /** Dropwizard configurations shipped in the repo: config.yml, the test config, and any other YAML with a socketio block. */
    static Stream<Path> shippedConfigs() throws IOException {
        List<Path> places = List.of(Path.of("."), Path.of("src/main/resources"), Path.of("src/test/resources"));
        List<Path> found = places.stream().filter(Files::isDirectory).flatMap(dir -> {
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
                        .filter(ConfigCheckTest::isServiceConfig).toList().stream();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).map(p -> p.toAbsolutePath().normalize()).toList();
        assertThat(found).contains(Path.of("config.yml").toAbsolutePath().normalize(),
                Path.of("src/test/resources/test-config.yml").toAbsolutePath().normalize());
        return found.stream();
    }

    private static boolean isServiceConfig(Path file) {
        try {
            return Files.readAllLines(file).stream().anyMatch(line -> line.startsWith("socketio:"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What the check command printed, and the error it ended with, if any. */
    record Outcome(Optional<Throwable> error, String out, String err) {
    }

    /** Runs {@code check <path>} with the application's own bootstrap, optionally with another source provider. */
    private static Outcome check(Path config, boolean defaultsOnly) {
        RealtimeApplication app = new RealtimeApplication();
        Bootstrap<RealtimeConfiguration> bootstrap = new Bootstrap<>(app);
        bootstrap.addCommand(new CheckCommand<>(app));
        app.initialize(bootstrap);
        if (defaultsOnly) {
            bootstrap.setConfigurationSourceProvider(defaultsOnlyProvider());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Optional<Throwable> error = new Cli(new JarLocation(RealtimeApplication.class), bootstrap, out, err)
                .run("check", config.toString());
        return new Outcome(error, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Substitutes every {@code ${VAR:-default}} with its default whatever the environment holds, and fails on a
     * placeholder that has none: the shipped config must start on a machine with no variables set. Whole-line
     * comments are dropped first (they may show placeholder syntax as an example; they never configure anything).
     */
    private static SubstitutingSourceProvider defaultsOnlyProvider() {
        StringSubstitutor defaults = new StringSubstitutor(Map.of());
        defaults.setEnableUndefinedVariableException(true);
        ConfigurationSourceProvider withoutComments = path -> {
            String yaml = Files.readAllLines(Path.of(path)).stream()
                    .filter(line -> !line.stripLeading().startsWith("#"))
                    .collect(Collectors.joining("\n"));
            return new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
        };
        return new SubstitutingSourceProvider(withoutComments, defaults);
    }

    @ParameterizedTest
    @MethodSource("shippedConfigs")
    void passesTheCheckCommandAsTheApplicationReadsIt(Path config) {
        Outcome outcome = check(config, false);
        assertThat(outcome.error()).as("check %s: %s", config, outcome.err()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("shippedConfigs")
    void passesTheCheckCommandWithEveryPlaceholderAtItsDefault(Path config) {
        Outcome outcome = check(config, true);
        assertThat(outcome.error()).as("check %s: %s", config, outcome.err()).isEmpty();
    }

    @Test
    void theShippedConfigDefaultsAreTheDocumentedOnes() throws Exception {
        // not Dropwizard's "dw." system-property overrides: a test class with two app extensions leaves its first
        // app's (dw.socketio.port ...) behind in this JVM when the second restores what it found at start
        RealtimeConfiguration c = new YamlConfigurationFactory<>(RealtimeConfiguration.class,
                Validators.newValidator(), Jackson.newObjectMapper(), "shipped-defaults-only")
                .build(defaultsOnlyProvider(), Path.of("config.yml").toString());
        DefaultServerFactory server = (DefaultServerFactory) c.getServerFactory();
        assertThat(((HttpConnectorFactory) server.getApplicationConnectors().get(0)).getPort()).isEqualTo(8080);
        assertThat(((HttpConnectorFactory) server.getAdminConnectors().get(0)).getPort()).isEqualTo(8081);
        assertThat(c.getSocketio().getPort()).isEqualTo(9092);
        assertThat(c.getDatabase().getUrl()).startsWith("jdbc:sqlite:data/");
        assertThat(c.getRedisUrl()).as("single node unless REDIS_URL is set").isNullOrEmpty();
        assertThat(c.getAuth().getJwtSecret()).as("no shared secret in shipped config").isNullOrEmpty();
        assertThat(c.getAuth().getAdminApiKey()).as("no shared secret in shipped config").isNullOrEmpty();
        assertThat(c.getSocketio().getAuthTimeout().toSeconds()).isEqualTo(10);
        assertThat(c.getSocketio().getPresenceGrace().toSeconds()).isEqualTo(5);
        assertThat(c.getSocketio().getTypingTimeout().toSeconds()).isEqualTo(6);
        assertThat(c.getSocketio().getRateLimitPerSecond()).isEqualTo(10);
        assertThat(c.getSocketio().isWebsocketCompression()).isFalse();
        // the edge's limits: a 500-point batch fits, one socket's queue and the node are bounded
        assertThat(c.getSocketio().getMaxFramePayload().toBytes()).isEqualTo(1_000_000);
        assertThat(c.getSocketio().getMaxHttpContent().toBytes()).isEqualTo(1_000_000);
        assertThat(c.getSocketio().getMaxQueuedPerSocket().toBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(c.getSocketio().getMaxConnections()).isEqualTo(10_000);
        // a fleet behind carrier-grade NAT is admitted: per-address limits stop abuse, not fleets
        assertThat(c.getSocketio().getMaxConnectionsPerAddress()).isEqualTo(5000);
        assertThat(c.getSocketio().getHandshakesPerAddressPerSecond()).isEqualTo(100);
        assertThat(c.getSocketio().getHandshakeBurstPerAddress()).isEqualTo(1000);
        assertThat(c.getSocketio().trustedProxyList()).isEmpty();
        assertThat(c.getSocketio().allowedOriginList()).isNotEmpty().doesNotContain("*");
        assertThat(c.getNotifications().ttl.toDays()).isEqualTo(7);
        // the console connects from its local origin out of the box
        assertThat(c.getSocketio().allowedOriginList()).contains("http://localhost:8080", "http://127.0.0.1:8080");
    }

    @Test
    void aBrokenConfigFailsTheCheck(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("broken.yml");
        Files.writeString(broken, Files.readString(Path.of("config.yml"))
                .replace("rateLimitPerSecond: ${RATE_LIMIT_PER_SEC:-10}", "rateLimitPerSecond: 0"));
        assertThat(Files.readString(broken)).contains("rateLimitPerSecond: 0");
        Outcome outcome = check(broken, false);
        assertThat(outcome.error()).isPresent();
        assertThat(outcome.err()).contains("rateLimitPerSecond");

        Path unknown = dir.resolve("unknown.yml");
        Files.writeString(unknown, Files.readString(Path.of("config.yml")) + "\nnoSuchSetting: true\n");
        assertThat(check(unknown, false).error()).isPresent();
    }

    @Test
    void aPlaceholderWithoutADefaultFailsTheDefaultsOnlyCheck(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("nodefault.yml");
        Files.writeString(config, Files.readString(Path.of("config.yml"))
                .replace("${SOCKETIO_PORT:-9092}", "${SALESMATE_TEST_UNSET_VARIABLE}"));
        assertThat(check(config, true).error()).isPresent();
    }

    /**
     * The README's own form of a tenant key, {@code key: ${ACME_API_KEY}}, with the variable unset: the application's
     * (non-strict) substitutor leaves the text as it is; the service must not start (else that text is a working
     * key), and says which setting — never a value.
     */
    @Test
    void anUnsetPlaceholderInASecretStopsTheServiceNamingTheSetting(@TempDir Path dir) throws IOException {
        assertThat(System.getenv("SALESMATE_TEST_UNSET_API_KEY")).isNull();
        Path config = dir.resolve("unset-key.yml");
        Files.writeString(config, Files.readString(Path.of("config.yml")).replace("  tenantKeys: []", """
                  tenantKeys:
                    - name: acme
                      tenantId: acme
                      key: ${SALESMATE_TEST_UNSET_API_KEY}
                """));
        Outcome outcome = check(config, false);
        assertThat(outcome.error()).as(outcome.err()).isPresent();
        assertThat(outcome.err()).contains("auth.tenantKeys[0].key is an unexpanded placeholder");

        // the same key set to a real value starts (proof the refusal is about the placeholder)
        Files.writeString(config, Files.readString(config).replace("${SALESMATE_TEST_UNSET_API_KEY}",
                "a-real-acme-key-of-32-characters"));
        Outcome fine = check(config, false);
        assertThat(fine.error()).as(fine.err()).isEmpty();
    }

    @Test
    void anEmptyOrShortSecretStopsTheServiceNamingTheSettingNeverTheValue(@TempDir Path dir) throws IOException {
        String shipped = Files.readString(Path.of("config.yml"));
        Path shortKey = dir.resolve("short.yml");
        Files.writeString(shortKey, shipped.replace("adminApiKey: ${ADMIN_API_KEY:-}", "adminApiKey: hunter2"));
        Outcome outcome = check(shortKey, false);
        assertThat(outcome.error()).isPresent();
        assertThat(outcome.err()).contains("auth.adminApiKey is shorter than 16 characters").doesNotContain("hunter2");

        Path shortSecret = dir.resolve("short-secret.yml");
        Files.writeString(shortSecret, shipped.replace("jwtSecret: ${JWT_SECRET:-}", "jwtSecret: change-me"));
        assertThat(check(shortSecret, false).err()).contains("auth.jwtSecret is shorter than 16 characters");

        Path emptyTenantKey = dir.resolve("empty.yml");
        Files.writeString(emptyTenantKey, shipped.replace("  tenantKeys: []", """
                  tenantKeys:
                    - name: acme
                      tenantId: acme
                      key: ${SALESMATE_TEST_UNSET_API_KEY:-}
                """));
        assertThat(check(emptyTenantKey, false).err()).contains("auth.tenantKeys[0].keyOrSha256 needs key or sha256");
    }
}
