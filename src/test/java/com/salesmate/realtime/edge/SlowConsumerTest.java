package com.salesmate.realtime.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.RawHttp;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A socket that stops reading is cut off at socketio.maxQueuedPerSocket while readers get everything and memory stays flat. */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(180)
class SlowConsumerTest {
    static final TestApp APP = TestApp.create(ConfigOverride.config("socketio.maxQueuedPerSocket", "256KiB"));
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String SLOW_METER = "socketio.connections.disconnects.reason.slow_consumer";
    static final long MIB = 1024 * 1024;
    /** Generous: the cap is 256 KiB per socket; an unbounded queue for the stalled socket would hold ~48 MiB. */
    static final long BOUND = 32 * MIB;
    static final String BLOB = "x".repeat(16 * 1024);

    @Test
    void aWebsocketThatStopsReadingIsDisconnectedWhileTheReaderGetsEveryAlertAndMemoryStaysBounded() throws Exception {
        String tenant = "slow-ws";
        try (RawHttp stalled = stalledWebsocket(APP.managerToken(tenant, "stalled-ws"));
             SioClient reader = SioClient.authenticated(APP.socketUrl(), APP.managerToken(tenant, "reader-ws"))) {
            // positive control: both sockets are listed before the flood
            assertThat(connectedUsers(tenant)).contains("stalled-ws", "reader-ws");

            long slowBefore = APP.meter(SLOW_METER);
            Memory base = Memory.measure(true);
            Flood flood = flood(tenant, reader, 3_000);
            Memory after = Memory.measure(true);
            report("websocket", base, flood, after);

            assertThat(flood.received.cardinality()).as("alerts the reading manager got").isEqualTo(3_000);
            assertThat(reader.isConnected()).as("the reading manager stays connected").isTrue();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(connectedUsers(tenant)).doesNotContain("stalled-ws").contains("reader-ws"));
            await().atMost(Duration.ofSeconds(5)).until(() -> APP.meter(SLOW_METER) == slowBefore + 1);
            assertBounded(base, flood, after);
        }
    }

    @Test
    void aPollingSessionThatNeverPollsAgainIsDisconnectedAtTheLimit() throws Exception {
        String tenant = "slow-poll";
        StalledPolling stalled = StalledPolling.open(APP.socketUrl(), APP.managerToken(tenant, "stalled-poll"));
        try (SioClient reader = SioClient.authenticated(APP.socketUrl(), APP.managerToken(tenant, "reader-poll"))) {
            assertThat(connectedUsers(tenant)).contains("stalled-poll", "reader-poll");
            long slowBefore = APP.meter(SLOW_METER);
            Memory base = Memory.measure(true);
            Flood flood = flood(tenant, reader, 600); // ~10 MB queued for a session that never polls
            Memory after = Memory.measure(true);
            report("polling", base, flood, after);

            assertThat(flood.received.cardinality()).isEqualTo(600);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(connectedUsers(tenant)).doesNotContain("stalled-poll").contains("reader-poll"));
            await().atMost(Duration.ofSeconds(5)).until(() -> APP.meter(SLOW_METER) == slowBefore + 1);
            assertBounded(base, flood, after);
            // the session is over: a late poll gets what was left for it ending in 41, or at once 400 code 1
            HttpResponse<String> late = stalled.poll();
            if (late.statusCode() == 200) {
                assertThat(late.body()).as("a late poll of a cut-off session").endsWith("41");
                late = stalled.poll();
            }
            assertThat(late.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(late.body()).path("code").asInt()).isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Posts {@code count} alerts of 16 KiB to the tenant from 3 threads while sampling memory; drains the reader. */
    private static Flood flood(String tenant, SioClient reader, int count) throws Exception {
        Flood flood = new Flood();
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                flood.peak.max(Memory.measure(false));
                drainInto(reader, flood.received);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "memory-sampler");
        sampler.start();
        ExecutorService posters = Executors.newFixedThreadPool(3);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> work = new ArrayList<>();
        long started = System.nanoTime();
        for (int t = 0; t < 3; t++) {
            work.add(posters.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    String body = "{\"tenantId\":\"" + tenant + "\",\"message\":\"flood\",\"data\":{\"n\":" + i
                            + ",\"blob\":\"" + BLOB + "\"}}";
                    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(APP.apiUrl("/emit/alert")))
                            .header("Authorization", "Bearer " + TestApp.ADMIN_KEY)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : work) {
                f.get(120, TimeUnit.SECONDS);
            }
            flood.postMillis = (System.nanoTime() - started) / 1_000_000;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                drainInto(reader, flood.received);
                return flood.received.cardinality() >= count || reader.isDisconnected();
            });
        } finally {
            done.set(true);
            sampler.join();
            posters.shutdownNow();
        }
        drainInto(reader, flood.received);
        return flood;
    }

    /** Takes the alerts out of the reader's queue (so the test's own heap does not hold 48 MB) and notes their n. */
    private static void drainInto(SioClient reader, BitSet received) {
        for (Object alert : reader.drain("alert")) {
            try {
                int n = ((JSONObject) alert).getJSONObject("data").getInt("n");
                synchronized (received) {
                    received.set(n);
                }
            } catch (Exception e) {
                throw new AssertionError("unexpected alert " + alert, e);
            }
        }
    }

    private static void report(String variant, Memory base, Flood flood, Memory after) {
        System.out.printf("[slow-consumer %s] posted in %d ms; reader got %d%n", variant, flood.postMillis,
                flood.received.cardinality());
        System.out.printf("[slow-consumer %s] baseline  %s%n", variant, base);
        System.out.printf("[slow-consumer %s] peak      %s (heap without GC)%n", variant, flood.peak);
        System.out.printf("[slow-consumer %s] after GC  %s%n", variant, after);
        System.out.printf("[slow-consumer %s] growth    heap %+.1f MiB, netty counter peak %+.1f MiB, pooled peak %+.1f MiB,"
                        + " default allocator peak %+.1f MiB, JDK direct pool peak %+.1f MiB%n", variant,
                (after.heap - base.heap) / (double) MIB, (flood.peak.nettyCounter - base.nettyCounter) / (double) MIB,
                (flood.peak.pooled - base.pooled) / (double) MIB, (flood.peak.defaultAlloc - base.defaultAlloc) / (double) MIB,
                (flood.peak.jdkDirect - base.jdkDirect) / (double) MIB);
    }

    private static void assertBounded(Memory base, Flood flood, Memory after) {
        assertThat(after.heap - base.heap).as("heap growth after GC, bytes").isLessThan(BOUND);
        if (base.nettyCounter >= 0) {
            assertThat(flood.peak.nettyCounter - base.nettyCounter).as("Netty direct memory counter, peak growth")
                    .isLessThan(BOUND);
        }
        assertThat(flood.peak.pooled - base.pooled).as("PooledByteBufAllocator.DEFAULT direct, peak growth").isLessThan(BOUND);
        assertThat(flood.peak.defaultAlloc - base.defaultAlloc).as("ByteBufAllocator.DEFAULT direct, peak growth")
                .isLessThan(BOUND);
        assertThat(flood.peak.jdkDirect - base.jdkDirect).as("JDK direct buffer pool, peak growth").isLessThan(BOUND);
    }

    /** userIds of the tenant's live connections, as the REST API lists them. */
    private static List<String> connectedUsers(String tenant) throws Exception {
        try (var r = APP.get("/tenants/" + tenant + "/connections", TestApp.ADMIN_KEY)) {
            String text = r.readEntity(String.class);
            assertThat(r.getStatus()).as(text).isEqualTo(200);
            List<String> users = new ArrayList<>();
            for (JsonNode c : JSON.readTree(text).path("connections")) {
                users.add(c.path("userId").asText());
            }
            return users;
        }
    }

    private static final class Flood {
        final BitSet received = new BitSet();
        final Memory peak = Memory.zero();
        long postMillis;
    }

    /** Heap and direct-memory figures of this JVM (the server runs in it). */
    private static final class Memory {
        long heap;
        long nettyCounter;
        long pooled;
        long defaultAlloc;
        long jdkDirect;

        static Memory zero() {
            Memory m = new Memory();
            m.nettyCounter = -1;
            return m;
        }

        static Memory measure(boolean gc) {
            if (gc) {
                for (int i = 0; i < 3; i++) {
                    System.gc();
                }
            }
            Memory m = new Memory();
            m.heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            m.nettyCounter = PlatformDependent.usedDirectMemory();
            m.pooled = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            m.defaultAlloc = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
                    ? p.metric().usedDirectMemory() : 0;
            for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                if ("direct".equals(pool.getName())) {
                    m.jdkDirect = pool.getMemoryUsed();
                }
            }
            return m;
        }

        synchronized void max(Memory other) {
            heap = Math.max(heap, other.heap);
            nettyCounter = Math.max(nettyCounter, other.nettyCounter);
            pooled = Math.max(pooled, other.pooled);
            defaultAlloc = Math.max(defaultAlloc, other.defaultAlloc);
            jdkDirect = Math.max(jdkDirect, other.jdkDirect);
        }

        @Override
        public synchronized String toString() {
            Map<String, String> f = new LinkedHashMap<>();
            f.put("heap", mib(heap));
            f.put("nettyDirectCounter", nettyCounter < 0 ? "n/a" : mib(nettyCounter));
            f.put("pooledDirect", mib(pooled));
            f.put("defaultAllocator(" + ByteBufAllocator.DEFAULT.getClass().getSimpleName() + ")Direct", mib(defaultAlloc));
            f.put("jdkDirectPool", mib(jdkDirect));
            return f.toString();
        }

        private static String mib(long bytes) {
            return String.format("%.1f MiB", bytes / (double) MIB);
        }
    }

    /**
     * A manager's websocket on a plain socket with a 4 KiB receive buffer that authenticates and then never reads
     * again, so its TCP window fills and the server's writes queue up.
     */
    private static RawHttp stalledWebsocket(String token) {
        RawHttp ws = RawHttp.websocket(null, APP.socketPort(), 4096);
        ws.awaitText(p -> p.startsWith("0{"), Duration.ofSeconds(10)); // the Engine.IO OPEN
        ws.sendText("40" + new org.json.JSONObject(Map.of("token", token)));
        assertThat(ws.awaitText(p -> p.startsWith("42[\"authenticated\""), Duration.ofSeconds(10)))
                .as("the stalled socket authenticated").contains("\"authenticated\"");
        return ws;
    }

    /** An Engine.IO polling session that connects as a manager, reads its welcome once, and then never polls again. */
    private static final class StalledPolling {
        private final String url;

        private StalledPolling(String url) {
            this.url = url;
        }

        static StalledPolling open(String socketUrl, String token) throws Exception {
            String base = socketUrl + "/socket.io/?EIO=4&transport=polling";
            HttpResponse<String> hs = HTTP.send(HttpRequest.newBuilder(URI.create(base)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(hs.statusCode()).as(hs.body()).isEqualTo(200);
            assertThat(hs.body()).startsWith("0{");
            String sid = new JSONObject(hs.body().substring(1)).getString("sid");
            StalledPolling p = new StalledPolling(base + "&sid=" + sid);
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(p.url))
                    .header("Content-Type", "text/plain;charset=UTF-8")
                    .POST(HttpRequest.BodyPublishers.ofString("40" + new JSONObject(Map.of("token", token))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).as(post.body()).isEqualTo(200);
            StringBuilder seen = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!seen.toString().contains("\"authenticated\"")) {
                assertThat(System.nanoTime()).as("authenticated within 10 s; got %s", seen).isLessThan(deadline);
                HttpResponse<String> r = p.poll();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                seen.append(r.body()).append('\u001e');
            }
            return p;
        }

        HttpResponse<String> poll() throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
