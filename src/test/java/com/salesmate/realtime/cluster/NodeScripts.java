package com.salesmate.realtime.cluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the Node.js scripts of {@code scripts/emitter-check} (the official emitter), installing them once (npm ci). */
public final class NodeScripts {
    static final Path DIR = Path.of("scripts/emitter-check");

    private NodeScripts() {
    }

    /** Runs {@code node <script>} with {@code env}; fails with its output unless it exits 0 saying done. */
    static void emit(String script, Map<String, String> env) throws Exception {
        install(DIR);
        assertThat(run(Duration.ofSeconds(60), env, "node", script)).contains("done");
    }

    /** Installs the scripts of {@code dir} from their lock file, once. */
    public static synchronized void install(Path dir) throws Exception {
        if (!Files.isDirectory(dir.resolve("node_modules"))) {
            run(dir, Duration.ofSeconds(180), Map.of(), "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
        }
    }

    private static String run(Duration limit, Map<String, String> env, String... command) throws Exception {
        return run(DIR, limit, env, command);
    }

    /** Runs {@code command} in {@code dir}; fails with its output unless it exits 0 within {@code limit}. */
    static String run(Path dir, Duration limit, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + limit);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
        return out;
    }
}
