package com.salesmate.realtime.socket;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.cluster.NodeScripts;
import com.salesmate.realtime.support.TcpProxy;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official JavaScript client (socket.io-client 4.8, which implements Socket.IO 4.6's connection state recovery by
 * itself) behind a network the test cuts for 2.5 s while alerts are emitted: it comes back with the same socket id,
 * {@code recovered: true}, and every alert of the gap once and in order, then live ones — over websocket and polling.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class JsClientRecoveryTest {
    static final TestApp APP = TestApp.create(ConfigOverride.config("socketio.recoveryWindow", "30s"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final Path SCRIPTS = Path.of("scripts/js-client-check");

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void aPhoneInATunnelComesBackWithEverythingItMissed(String transport) throws Exception {
        NodeScripts.install(SCRIPTS);
        String tenant = "jsrec-" + transport + "-" + System.nanoTime();
        try (TcpProxy network = new TcpProxy(APP.socketPort())) {
            ProcessBuilder pb = new ProcessBuilder("node", "recovery.mjs").directory(SCRIPTS.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("SIO_URL", "http://127.0.0.1:" + network.port());
            pb.environment().put("TOKEN", APP.managerToken(tenant, "boss"));
            pb.environment().put("TRANSPORT", transport);
            Process node = pb.start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            List<String> all = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(node.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (all) {
                            all.add(line);
                        }
                        lines.add(line);
                    }
                } catch (Exception e) {
                    // the process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
            try {
                String first = await(lines, all, l -> l.startsWith("connected "));
                assertThat(first).endsWith(" false");
                String socketId = first.split(" ")[1];
                alert(tenant, "before");
                await(lines, all, "event alert before"::equals); // the client now holds an offset

                network.cut(); // a tunnel: both ends see their connections die
                await(lines, all, l -> l.startsWith("disconnect "));
                alert(tenant, "gap-1");
                alert(tenant, "gap-2");
                Thread.sleep(2_500); // the phone stays in the tunnel; its reconnection attempts are refused
                network.restore();

                String back = await(lines, all, l -> l.startsWith("connected "));
                assertThat(back).as("same socket id, recovered: %s", all).isEqualTo("connected " + socketId + " true");
                assertThat(await(lines, all, l -> l.startsWith("event "))).isEqualTo("event alert gap-1");
                assertThat(await(lines, all, l -> l.startsWith("event "))).isEqualTo("event alert gap-2");
                alert(tenant, "after");
                assertThat(await(lines, all, l -> l.startsWith("event "))).isEqualTo("event alert after");
                synchronized (all) {
                    assertThat(all.stream().filter(l -> l.startsWith("event alert")))
                            .as("each alert once: %s", all)
                            .containsExactly("event alert before", "event alert gap-1", "event alert gap-2",
                                    "event alert after");
                }
            } finally {
                node.getOutputStream().close();
                if (!node.waitFor(5, TimeUnit.SECONDS)) {
                    node.destroyForcibly();
                }
            }
        }
    }

    private static String await(BlockingQueue<String> lines, List<String> all, Predicate<String> match)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                synchronized (all) {
                    throw new AssertionError("nothing matching within 15 s; the client printed " + all);
                }
            }
            if (match.test(line)) {
                return line;
            }
        }
    }

    private static void alert(String tenantId, String message) {
        var res = APP.post("/emit/alert", TestApp.ADMIN_KEY,
                "{\"tenantId\":\"" + tenantId + "\",\"message\":\"" + message + "\"}");
        assertThat(res.getStatus()).as(res.readEntity(String.class)).isEqualTo(200);
    }
}
