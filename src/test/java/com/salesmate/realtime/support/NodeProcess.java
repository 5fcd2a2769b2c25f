package com.salesmate.realtime.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Node.js script run by a test (a real client or server library), whose printed lines the test awaits; closing
 * stdin tells it to finish.
 */
public class NodeProcess implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();

    /** Starts {@code node script} in {@code dir} with {@code env} added to the environment. */
    public NodeProcess(Path dir, String script, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("node", script).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        this.process = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (all) {
                        all.add(line);
                    }
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "node-" + script);
        reader.setDaemon(true);
        reader.start();
    }

    /** The next line matching {@code match} (earlier ones are passed over), within 15 s; else fails saying all. */
    public String await(Predicate<String> match) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("nothing matching within 15 s; the process printed " + printed());
            }
            if (match.test(line)) {
                return line;
            }
        }
    }

    /** Every line printed so far. */
    public List<String> printed() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** Ends stdin (the script closes and exits), then waits for the exit (10 s, else it is killed). */
    @Override
    public void close() throws InterruptedException, IOException {
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not exit within 10 s; printed " + printed());
        }
    }
}
