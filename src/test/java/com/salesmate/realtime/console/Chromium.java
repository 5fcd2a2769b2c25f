package com.salesmate.realtime.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The system Chromium (Debian's {@code chromium}), driven by {@code scripts/console-check/driver.mjs} through
 * playwright-core: one command per line, one answer per line. Installs the script once ({@code npm ci}). Without a
 * Chromium the tests fail under {@code CI=true} and are skipped elsewhere, saying how to install it.
 */
final class Chromium implements AutoCloseable {
    static final Path DIR = Path.of("scripts/console-check");
    static final Path BINARY = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(30);

    private final Process process;
    private final Writer commands;
    private final BufferedReader answers;
    private final StringBuilder errors = new StringBuilder();
    private long nextId;

    private Chromium(Process process) {
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Thread drain = new Thread(() -> {
            try (BufferedReader err = new BufferedReader(
                    new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                err.lines().forEach(l -> {
                    synchronized (errors) {
                        errors.append(l).append('\n');
                    }
                });
            } catch (IOException ignored) {
                // the process ended
            }
        }, "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
    }

    /** Starts the driver; fails (CI) or skips (elsewhere) when there is no Chromium. */
    static Chromium start() throws Exception {
        if (!Files.isExecutable(BINARY)) {
            String why = "no Chromium at " + BINARY + ": apt-get install -y chromium (or set CHROMIUM)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            Assumptions.abort(why);
        }
        if (!Files.isDirectory(DIR.resolve("node_modules"))) {
            npmCi();
        }
        ProcessBuilder pb = new ProcessBuilder("node", "driver.mjs").directory(DIR.toFile());
        pb.environment().put("CHROMIUM", BINARY.toString());
        Chromium chromium = new Chromium(pb.start());
        chromium.call("newPage", Map.of());
        return chromium;
    }

    private static void npmCi() throws Exception {
        Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(DIR.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("npm ci in " + DIR + " did not finish within 180 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("npm ci: %s", out).isZero();
    }

    /** Runs one command; its value, or an AssertionError with the driver's error. */
    synchronized JsonNode call(String op, Map<String, ?> args) {
        long id = ++nextId;
        ObjectNode command = JSON.createObjectNode().put("id", id).put("op", op);
        command.set("args", JSON.valueToTree(args));
        try {
            commands.write(JSON.writeValueAsString(command) + "\n");
            commands.flush();
            String line = CompletableFuture.supplyAsync(this::readLine)
                    .get(ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError("the browser driver ended: " + stderr());
            }
            JsonNode answer = JSON.readTree(line);
            assertThat(answer.path("id").asLong()).isEqualTo(id);
            if (!answer.path("ok").asBoolean()) {
                throw new AssertionError(op + " " + args + ": " + answer.path("error").asText());
            }
            return answer.path("value");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(op + " got no answer within " + ANSWER_WAIT + "; " + stderr());
        } catch (Exception e) {
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(op + ": " + e, e);
        }
    }

    private String readLine() {
        try {
            return answers.readLine();
        } catch (IOException e) {
            return null;
        }
    }

    private String stderr() {
        synchronized (errors) {
            return errors.toString();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            commands.write("{\"id\":0,\"op\":\"quit\"}\n");
            commands.flush();
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
