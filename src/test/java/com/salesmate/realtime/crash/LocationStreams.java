package com.salesmate.realtime.crash;

import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.support.SioClient;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Many salesman sockets, each sending sequential timestamps as fast as its acks come back, one event in flight per
 * socket, until its socket is gone: most send {@code location:update}, every fourth one {@code location:batch}es of
 * {@value #BATCH} points (an offline phone catching up). Records every location a success ack confirmed (what a phone
 * would then drop from its buffer) and counts refusals by code.
 */
final class LocationStreams {
    /** A location the service acknowledged as stored; {@code id} is null for a batch point (batch acks give none). */
    record Acked(String salesmanId, long timestamp, String id) {
        String key() {
            return salesmanId + "@" + timestamp;
        }
    }

    static final int BATCH = 10;
    private static final Duration ACK_BOUND = Duration.ofSeconds(15);

    private final List<SioClient> clients = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();
    private final AtomicInteger stalled = new AtomicInteger();
    private final AtomicInteger[] perSocket;

    private LocationStreams(int sockets) {
        this.perSocket = new AtomicInteger[sockets];
    }

    /** Connects {@code sockets} salesmen of tenant {@code tenant} and starts streaming at once. */
    static LocationStreams start(String url, String tenant, String prefix, int sockets) {
        TokenService tokens = new TokenService(ChildService.JWT_SECRET, Optional.empty(), Clock.systemUTC());
        LocationStreams streams = new LocationStreams(sockets);
        long base = System.currentTimeMillis() - Duration.ofHours(2).toMillis();
        for (int i = 0; i < sockets; i++) {
            String salesmanId = "%s-%02d".formatted(prefix, i);
            SioClient client = SioClient.authenticated(url,
                    tokens.mint("user-" + salesmanId, tenant, Role.SALESMAN, salesmanId, Duration.ofHours(1)));
            streams.clients.add(client);
            streams.perSocket[i] = new AtomicInteger();
        }
        for (int i = 0; i < sockets; i++) {
            int n = i;
            String salesmanId = "%s-%02d".formatted(prefix, n);
            Runnable stream = n % 4 == 3
                    ? () -> streams.runBatches(streams.clients.get(n), salesmanId, base, streams.perSocket[n])
                    : () -> streams.run(streams.clients.get(n), salesmanId, base, streams.perSocket[n]);
            Thread t = new Thread(stream, "stream-" + salesmanId);
            t.setDaemon(true);
            streams.threads.add(t);
            t.start();
        }
        return streams;
    }

    private static JSONObject point(long i, long ts) {
        try {
            return new JSONObject().put("latitude", 12.0 + (i % 1000) * 1e-4).put("longitude", 77.0)
                    .put("accuracy", 5.0).put("timestamp", ts);
        } catch (JSONException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run(SioClient client, String salesmanId, long base, AtomicInteger count) {
        for (long i = 0; ; i++) {
            long ts = base + i;
            JSONObject point = point(i, ts);
            if (client.isDisconnected()) {
                return;
            }
            CompletableFuture<JSONObject> ack = client.emitAsync("location:update", point);
            JSONObject answer = awaitAck(client, ack);
            if (answer == null) {
                return;
            }
            if (answer.optBoolean("success")) {
                acked.add(new Acked(salesmanId, ts, answer.optString("id")));
                count.incrementAndGet();
            } else {
                String code = answer.optJSONObject("error") == null ? "?" : answer.optJSONObject("error").optString("code");
                refused.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
            }
        }
    }

    private void runBatches(SioClient client, String salesmanId, long base, AtomicInteger count) {
        for (long i = 0; ; i += BATCH) {
            JSONArray points = new JSONArray();
            for (int k = 0; k < BATCH; k++) {
                points.put(point(i + k, base + i + k));
            }
            if (client.isDisconnected()) {
                return;
            }
            JSONObject payload;
            try {
                payload = new JSONObject().put("points", points);
            } catch (JSONException e) {
                throw new IllegalStateException(e);
            }
            JSONObject answer = awaitAck(client, client.emitAsync("location:batch", payload));
            if (answer == null) {
                return;
            }
            if (!answer.optBoolean("success")) {
                String code = answer.optJSONObject("error") == null ? "?" : answer.optJSONObject("error").optString("code");
                refused.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
                continue;
            }
            Set<Integer> rejected = new HashSet<>();
            JSONArray r = answer.optJSONArray("rejected");
            for (int k = 0; r != null && k < r.length(); k++) {
                rejected.add(r.optJSONObject(k).optInt("index"));
                refused.computeIfAbsent("batch:" + r.optJSONObject(k).optString("code"), c -> new AtomicInteger())
                        .incrementAndGet();
            }
            for (int k = 0; k < BATCH; k++) {
                if (!rejected.contains(k)) {
                    acked.add(new Acked(salesmanId, base + i + k, null));
                    count.incrementAndGet();
                }
            }
        }
    }

    /** The ack, or null once the socket is gone (acks are handled before the disconnect on the client's thread). */
    private JSONObject awaitAck(SioClient client, CompletableFuture<JSONObject> ack) {
        long deadline = System.nanoTime() + ACK_BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                return ack.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (client.isDisconnected()) {
                    return ack.isDone() ? ack.join() : null;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (java.util.concurrent.ExecutionException e) {
                return null;
            }
        }
        stalled.incrementAndGet();
        return null;
    }

    /** Waits until at least {@code total} acks arrived and every socket has had some. */
    void awaitAcks(int total, Duration bound, Supplier<String> diagnostics) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            boolean everyone = true;
            for (AtomicInteger c : perSocket) {
                everyone &= c.get() > 0;
            }
            if (everyone && acked.size() >= total) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("only " + acked.size() + " acks within " + bound + " (refused " + refused + "):\n"
                + diagnostics.get());
    }

    /** Waits for every streaming thread to end (its socket gone). */
    void awaitEnd(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " still streaming after " + bound);
            }
        }
    }

    /** The disconnect reason each socket saw (waits for each within {@code bound}). */
    Map<String, Integer> disconnectReasons(Duration bound) {
        Map<String, Integer> reasons = new TreeMap<>();
        for (SioClient c : clients) {
            reasons.merge(c.awaitDisconnected(bound), 1, Integer::sum);
        }
        return reasons;
    }

    List<Acked> acked() {
        return List.copyOf(acked);
    }

    int ackedCount() {
        return acked.size();
    }

    Map<String, AtomicInteger> refused() {
        return refused;
    }

    int stalled() {
        return stalled.get();
    }

    void close() {
        clients.forEach(SioClient::close);
    }
}
