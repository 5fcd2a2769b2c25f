package com.salesmate.realtime.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of a test's own on a free port (no persistence), for tests that stop and restart Redis; the
 * shared one on 6379 must not be stopped.
 */
public final class RedisProcess implements AutoCloseable {
    private final int port = TestApp.freePort();
    private final Path dir;
    private Process process;

    private RedisProcess() throws IOException {
        this.dir = Files.createTempDirectory("salesmate-redis");
    }

    public static RedisProcess start() {
        try {
            RedisProcess r = new RedisProcess();
            r.restart();
            Runtime.getRuntime().addShutdownHook(new Thread(r::close, "redis-" + r.port));
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("redis-server could not be started (is it on PATH?)", e);
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it (again) on the same port, with no data, and waits until it accepts connections. */
    public void restart() throws IOException {
        process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("redis-server did not listen on " + port);
    }

    /** Stops it at once (SIGKILL): an outage, not a shutdown. */
    public void stop() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
