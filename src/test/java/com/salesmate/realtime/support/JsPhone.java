package com.salesmate.realtime.support;

import com.salesmate.realtime.cluster.NodeScripts;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A phone running the official JavaScript client (socket.io-client 4.8, with its own connection state recovery):
 * {@code scripts/js-client-check/recovery.mjs} in a Node.js process, whose lines ({@code connected <id> <recovered>},
 * {@code disconnect <reason>}, {@code connect_error <message>}, {@code event <name> <text>}) the test awaits.
 */
public final class JsPhone implements AutoCloseable {
    public static final Path SCRIPTS = Path.of("scripts/js-client-check");
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();

    private JsPhone(Process process) {
        this.process = process;
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
        }, "js-phone");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the client against {@code url} with {@code token}, on {@code transport} (websocket or polling). */
    public static JsPhone start(String url, String token, String transport) throws Exception {
        NodeScripts.install(SCRIPTS);
        ProcessBuilder pb = new ProcessBuilder("node", "recovery.mjs").directory(SCRIPTS.toFile())
                .redirectErrorStream(true);
        pb.environment().put("SIO_URL", url);
        pb.environment().put("TOKEN", token);
        pb.environment().put("TRANSPORT", transport);
        return new JsPhone(pb.start());
    }

    /** The next line matching {@code match} (earlier ones are passed over), within 15 s; else fails saying all. */
    public String await(Predicate<String> match) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("nothing matching within 15 s; the client printed " + printed());
            }
            if (match.test(line)) {
                return line;
            }
        }
    }

    /** The next event line. */
    public String nextEvent() throws InterruptedException {
        return await(l -> l.startsWith("event "));
    }

    /** Every line printed so far. */
    public List<String> printed() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        process.getOutputStream().close();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
