package com.salesmate.realtime.cluster;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.hub.LocalPublisher;
import com.salesmate.realtime.hub.OutboundEvent;
import com.salesmate.realtime.metrics.HistogramTimer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bus between nodes: a Redis stream, an ordered log, in the format of Socket.IO's official Redis Streams adapter
 * ({@code @socket.io/redis-streams-adapter}): each emit is an entry {@code {uid, nsp, type: "3", data}} whose
 * {@code data} is the JSON of {@code {packet: {type: 2, data: [event, ...args], nsp}, opts: {rooms, except, flags}}},
 * so a Node.js Socket.IO server with that adapter reads what the nodes emit and the nodes read what it emits.
 *
 * <p>Every node, the emitting one included, delivers entries to its sockets as it reads them, in the stream's order,
 * each with its entry id as the offset of connection state recovery: a socket's last offset is its newest event, and
 * the same stream is the log a recovering socket is replayed from on any node. A node reads from its own position:
 * when its connection drops and returns, it resumes where it was, and nothing published meanwhile is lost. Emits are
 * appended on a connection that queues while it reconnects (a cut connection loses none); an append that cannot be
 * made in time is delivered to this node's sockets at once and counted as dropped (the others miss it). An append may
 * land twice (sent again by this class or by Lettuce after a reconnect): each entry carries its node's sequence number
 * ({@code seq}, ignored by the Node.js adapter), and a copy is delivered once ({@link #publish}).
 *
 * <p>Anyone who can write to Redis can write here: an entry that is too large, does not decode, names another
 * namespace or a reserved event, or carries binary data is dropped and counted before any socket sees it.
 */
final class StreamBus {
    private static final Logger LOG = LoggerFactory.getLogger(StreamBus.class);
    static final String LAG = "cluster.stream.lag";
    /** The Socket.IO cluster adapter's message type of a broadcast. */
    static final String BROADCAST = "3";
    /** Heartbeats and the close of a Node.js server's adapter: read and passed over. */
    private static final Set<String> PASSED_OVER = Set.of("1", "2", "13");
    private static final int READ_COUNT = 100;
    /** The official adapter's default length, kept when recovery is off. */
    static final long DEFAULT_MAX_LEN = 10_000;
    /** Entries per XRANGE when a recovering socket's gap is read. */
    static final int RANGE_COUNT = 1_000;

    /** An entry read and checked: to whom, the event as sent without its offset, and where it came from. */
    record Decoded(String uid, long seq, OutboundEvent event, List<String> rooms, Set<String> except) {
    }

    /** An own emit waiting for its entry to be read back: delivered from here, not decoded again. */
    private record Pending(OutboundEvent event, List<String> rooms, Set<String> except) {
    }

    private final Redis redis;
    private final String key;
    private final String uid;
    private final int maxBytes;
    private volatile long maxLen = DEFAULT_MAX_LEN;
    private volatile Duration retention = Duration.ofMinutes(2);
    private final ObjectMapper json;
    private final com.fasterxml.jackson.databind.ObjectReader strict;
    private final Bus.Drops drops;
    private final Meter published;
    private final Meter received;
    private final Timer lag;
    private final AtomicLong nextSeq = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    /** What other nodes' entries were delivered already (copies are skipped). */
    private final RecentSeqs seen = new RecentSeqs();
    /** Appends sent again while the connection comes back. */
    private final java.util.concurrent.ScheduledExecutorService retries;
    private static final long RETRY_MILLIS = 50;
    /** How long an append is tried before the emit is delivered here only: two command timeouts. */
    private final Duration retryFor;
    /** True while Redis has been unreachable for longer than a command's timeout. */
    private volatile java.util.function.BooleanSupplier unreachable = () -> false;
    /** Held while entries are delivered; a recovering socket's last step takes it too. */
    private final Object deliveryLock = new Object();
    private volatile String lastId = "0-0";
    private volatile long position;
    private volatile long lastHeard = System.currentTimeMillis();
    private volatile long lastTrim;
    private volatile boolean running;
    private volatile LocalPublisher local;
    private Thread reader;

    StreamBus(Redis redis, String key, String uid, int maxBytes, ObjectMapper json, Bus.Drops drops,
              MetricRegistry metrics) {
        this.redis = redis;
        this.key = key;
        this.uid = uid;
        this.maxBytes = maxBytes;
        this.json = json;
        this.strict = json.reader().with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.drops = drops;
        this.published = metrics.meter(Bus.PUBLISHED);
        this.received = metrics.meter(Bus.RECEIVED);
        this.lag = HistogramTimer.of(metrics, LAG);
        this.retryFor = redis.commandTimeout().multipliedBy(2);
        this.retries = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-stream-retry-" + uid);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * How much of the log is kept: at most about {@code maxLen} entries (trimmed as each is appended, by whole
     * macro-nodes as the official adapter does), and none older than {@code retention} (trimmed once a second).
     */
    void bounds(long maxLen, Duration retention) {
        this.maxLen = maxLen;
        this.retention = retention;
    }

    /** Emits skip the append (and its wait) while {@code unreachable} says Redis has been away for a while. */
    void unreachableWhen(java.util.function.BooleanSupplier unreachable) {
        this.unreachable = unreachable;
    }

    /** Reads from the stream's end now, delivering to {@code local}; the position is read before this returns. */
    void start(LocalPublisher local) {
        this.local = local;
        List<StreamMessage<String, String>> last = redis.streamCommands().sync()
                .xrevrange(key, Range.create("-", "+"), Limit.from(1));
        if (!last.isEmpty()) {
            lastId = last.get(0).getId();
            position = StreamIds.valid(lastId) ? StreamIds.toLong(lastId) : 0;
        }
        running = true;
        reader = new Thread(this::read, "cluster-stream-" + uid);
        reader.setDaemon(true);
        reader.start();
    }

    void stop() {
        running = false;
        retries.shutdown();
        if (reader != null) {
            reader.interrupt();
            try {
                reader.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The position (as {@link StreamIds#toLong}) of the last entry this node delivered. */
    long position() {
        return position;
    }

    String key() {
        return key;
    }

    /** When this node last heard from the stream (a read answered, with entries or not), epoch milliseconds. */
    long lastHeard() {
        return lastHeard;
    }

    /**
     * Appends an emit; this node delivers it when it reads it back. An append that fails (Lettuce fails commands at
     * once with the last connection error until it has reconnected) is sent again every 50 ms until
     * {@link #retryFor}; past it, the emit is delivered to this node's sockets at once (without an offset) and counted
     * as dropped. Copies of an entry (a retry or Lettuce's own resend after all) are delivered once: this node delivers
     * only entries still pending here, the others skip sequence numbers they have seen ({@link RecentSeqs}).
     */
    void publish(OutboundEvent wire, List<String> rooms, Set<String> except) {
        long seq = nextSeq.incrementAndGet();
        pending.put(seq, new Pending(wire, rooms, except));
        if (unreachable.getAsBoolean()) { // Redis away longer than a command's timeout: no wait for each emit
            fallBack(seq, "Redis unreachable");
            return;
        }
        append(seq, entry(wire, rooms, except, seq), System.nanoTime() + retryFor.toNanos());
    }

    private void append(long seq, Map<String, String> body, long deadline) {
        io.lettuce.core.RedisFuture<String> appended;
        try {
            appended = redis.streamCommands().async()
                    .xadd(key, XAddArgs.Builder.maxlen(maxLen).approximateTrimming(), body);
        } catch (RuntimeException e) { // refused at once (queue full, not connected yet)
            retryOrFallBack(seq, body, deadline, e);
            return;
        }
        appended.whenComplete((id, failure) -> {
            if (failure == null) {
                published.mark();
            } else {
                retryOrFallBack(seq, body, deadline, failure);
            }
        });
    }

    private void retryOrFallBack(long seq, Map<String, String> body, long deadline, Throwable failure) {
        if (running && System.nanoTime() < deadline && pending.containsKey(seq)) {
            try {
                retries.schedule(() -> append(seq, body, deadline), RETRY_MILLIS, TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping: deliver here
            }
        }
        fallBack(seq, failure.toString());
    }

    /** An emit that did not reach the stream: this node's sockets get it now; a late append of it is skipped. */
    private void fallBack(long seq, String why) {
        Pending p = pending.remove(seq);
        if (p == null) {
            return; // already read back: an attempt that looked failed had reached the stream
        }
        drops.drop("publish_failed", why);
        Runnable here = () -> {
            synchronized (deliveryLock) {
                LocalPublisher to = local;
                if (to != null) {
                    to.deliver(p.event(), p.rooms(), p.except());
                }
            }
        };
        try {
            retries.execute(here); // never on a Lettuce thread: the delivery lock may wait for a Redis reply
        } catch (java.util.concurrent.RejectedExecutionException e) {
            here.run(); // stopping
        }
    }

    /** The adapter's entry; the event's arguments are already JSON, so they are put in as they are. */
    private Map<String, String> entry(OutboundEvent wire, List<String> rooms, Set<String> except, long seq) {
        StringBuilder data = new StringBuilder(64 + wire.args().stream().mapToInt(String::length).sum());
        try {
            data.append("{\"packet\":{\"type\":2,\"data\":[").append(json.writeValueAsString(wire.name()));
            for (String arg : wire.args()) {
                data.append(',').append(arg);
            }
            data.append("],\"nsp\":\"/\"},\"opts\":{\"rooms\":").append(json.writeValueAsString(rooms))
                    .append(",\"except\":").append(json.writeValueAsString(except)).append(",\"flags\":{}}}");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e); // strings and lists of strings always encode
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("uid", uid);
        body.put("nsp", "/");
        body.put("type", BROADCAST);
        body.put("data", data.toString());
        body.put("seq", Long.toString(seq));
        return body;
    }

    private void read() {
        int timeouts = 0;
        while (running) {
            List<StreamMessage<String, String>> batch;
            try {
                batch = redis.streamReader().sync().xread(
                        XReadArgs.Builder.block(redis.blockMillis()).count(READ_COUNT),
                        XReadArgs.StreamOffset.from(key, lastId));
                timeouts = 0;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                if (e instanceof io.lettuce.core.RedisCommandTimeoutException && ++timeouts >= 3) {
                    timeouts = 0; // a connection a NAT forgot answers nothing and reports nothing: a new one
                    redis.reopenStreamReader();
                }
                pause(); // not connected, or timed out: the connection comes back by itself
                continue;
            }
            lastHeard = System.currentTimeMillis();
            if (batch != null && !batch.isEmpty()) {
                synchronized (deliveryLock) {
                    for (StreamMessage<String, String> m : batch) {
                        readOne(m);
                    }
                }
            }
            trim();
        }
    }

    /** Delivers one entry and moves past it; nothing an entry holds stops the reader. */
    private void readOne(StreamMessage<String, String> m) {
        try {
            if (StreamIds.valid(m.getId())) {
                deliver(m);
                position = StreamIds.toLong(m.getId());
            } else { // an id set by hand past what a position holds (year 2248): passed over, the position kept
                drops.drop("bad_id", m.getId());
            }
        } catch (RuntimeException | StackOverflowError e) { // a bug, not input: the reader goes on with the next
            drops.drop("delivery_failed", e + " at " + m.getId());
        }
        lastHeard = System.currentTimeMillis(); // reading, however long a batch's fan-outs take
        lastId = m.getId();
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(StreamMessage<String, String> m) {
        Map<String, String> body = m.getBody();
        if (uid.equals(body.get("uid"))) {
            // this node's: delivered from what it still waits for; a copy, or an entry forged under its uid, is not
            Pending p = pending.remove(StreamIds.seqOf(body.get("seq")));
            if (p != null) {
                send(m.getId(), p.event(), p.rooms(), p.except());
            }
            return;
        }
        Decoded d = decode(m.getId(), body, true);
        if (d == null || !seen.first(d.uid(), d.seq())) {
            return;
        }
        received.mark();
        send(m.getId(), d.event(), d.rooms(), d.except());
    }

    private void send(String id, OutboundEvent event, List<String> rooms, Set<String> except) {
        lag.update(Math.max(0, System.currentTimeMillis() - StreamIds.millisOf(id)), TimeUnit.MILLISECONDS);
        LocalPublisher to = local;
        if (to != null) {
            to.deliverLogged(event, rooms, except, StreamIds.toLong(id), id);
        }
    }

    /**
     * Reads an entry as a broadcast to the default namespace; null (counted as dropped when {@code count}) when it is
     * not one this service delivers.
     */
    Decoded decode(String id, Map<String, String> body, boolean count) {
        String type = body.get("type");
        if (type != null && PASSED_OVER.contains(type)) {
            return null;
        }
        String data = body.get("data");
        String nsp = body.get("nsp");
        String from = body.get("uid");
        if (!BROADCAST.equals(type) || data == null || from == null) {
            return dropped(count, "unsupported_type", "type " + type + " at " + id);
        }
        if (data.length() > maxBytes
                || (data.length() * 3L > maxBytes && data.getBytes(StandardCharsets.UTF_8).length > maxBytes)) {
            return dropped(count, "too_large", "over " + maxBytes + " bytes at " + id);
        }
        if (!"/".equals(nsp)) {
            return dropped(count, "unknown_namespace", nsp);
        }
        if (!data.startsWith("{")) {
            return dropped(count, "binary", "at " + id); // the adapter's msgpack form: binary attachments
        }
        try {
            JsonNode message = strict.readTree(data); // one JSON value, nothing after it (as JSON.parse)
            JsonNode args = message.path("packet").path("data");
            JsonNode opts = message.path("opts");
            if (!args.isArray() || args.isEmpty() || !args.get(0).isTextual()
                    || message.path("packet").path("type").asInt(-1) != 2 || message.path("packet").has("id")) {
                return dropped(count, "malformed", "not an event at " + id);
            }
            String event = args.get(0).asText();
            String refused = Bus.refusal(event);
            if (refused != null) {
                return dropped(count, refused, event);
            }
            List<String> encoded = new ArrayList<>(args.size() - 1);
            for (int i = 1; i < args.size(); i++) {
                encoded.add(json.writeValueAsString(args.get(i)));
            }
            return new Decoded(from, StreamIds.seqOf(body.get("seq")), new OutboundEvent(event, encoded),
                    strings(opts.path("rooms")), Set.copyOf(strings(opts.path("except"))));
        } catch (IllegalArgumentException | java.io.IOException e) {
            return dropped(count, "malformed", e.getMessage());
        }
    }

    private Decoded dropped(boolean count, String reason, String detail) {
        if (count) {
            drops.drop(reason, detail);
        }
        return null;
    }

    private static List<String> strings(JsonNode array) {
        if (array.isMissingNode() || array.isNull()) {
            return List.of();
        }
        if (!array.isArray()) {
            throw new IllegalArgumentException("rooms must be an array");
        }
        List<String> out = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            if (!n.isTextual()) {
                throw new IllegalArgumentException("a room must be a string");
            }
            out.add(n.asText());
        }
        return List.copyOf(out);
    }

    /**
     * The entries after {@code from} up to the newest, at most {@code limit} (more: null), each decoded or null; in
     * stream order. Blocking: never called on an event loop.
     */
    List<Map.Entry<String, Decoded>> after(String from, String to, int limit) {
        List<Map.Entry<String, Decoded>> out = new ArrayList<>();
        String cursor = from;
        while (true) {
            Range.Boundary<String> upper = to == null ? Range.Boundary.unbounded() : Range.Boundary.including(to);
            List<StreamMessage<String, String>> page = redis.streamCommands().sync().xrange(key,
                    Range.from(Range.Boundary.excluding(cursor), upper), Limit.from(RANGE_COUNT));
            for (StreamMessage<String, String> m : page) {
                out.add(Map.entry(m.getId(), decodeOrNull(m)));
                if (out.size() > limit) {
                    return null;
                }
            }
            if (page.size() < RANGE_COUNT) {
                return out;
            }
            cursor = page.get(page.size() - 1).getId();
        }
    }

    /** The (uid, seq) of the entries of the {@code millis} before {@code id} (included), not decoded. Blocking. */
    List<Map.Entry<String, Long>> copiesBefore(String id, long millis) {
        long since = Math.max(0, StreamIds.millisOf(id) - millis);
        List<Map.Entry<String, Long>> out = new ArrayList<>();
        for (StreamMessage<String, String> m : redis.streamCommands().sync().xrange(key,
                Range.create(since + "-0", id), Limit.from(RANGE_COUNT * 10L))) {
            String from = m.getBody().get("uid");
            if (from != null) {
                out.add(Map.entry(from, StreamIds.seqOf(m.getBody().get("seq"))));
            }
        }
        return out;
    }

    private Decoded decodeOrNull(StreamMessage<String, String> m) {
        Decoded d = decode(m.getId(), m.getBody(), false);
        return d == null ? new Decoded(null, 0, null, List.of(), Set.of()) : d;
    }

    /** The deletion watermark and the newest id: a gap from an id under the first was (partly) trimmed away. */
    String maxDeletedId() {
        List<Object> info;
        try {
            info = redis.streamCommands().sync().xinfoStream(key);
        } catch (io.lettuce.core.RedisCommandExecutionException e) {
            return "0-0"; // no stream yet: nothing was ever appended, so nothing was trimmed
        }
        String deleted = field(info, "max-deleted-entry-id");
        return deleted == null ? "0-0" : deleted;
    }

    /** Runs {@code step} while no entry is being delivered; it sees {@link #position()} as it is. */
    <T> T whileStill(java.util.function.Supplier<T> step) {
        synchronized (deliveryLock) {
            return step.get();
        }
    }

    /** Trims the log to the retention, at most once a second (every node may; it is idempotent). */
    private void trim() {
        long now = System.currentTimeMillis();
        if (now - lastTrim < 1_000) {
            return;
        }
        lastTrim = now;
        try {
            // by the stream's own clock (its newest id, Redis's time), not this node's
            long newest = StreamIds.millisOf(lastId);
            if (newest > retention.toMillis()) {
                redis.streamCommands().async().xtrim(key, XTrimArgs.Builder
                        .minId((newest - retention.toMillis()) + "-0").approximateTrimming());
            }
            String readUpTo = lastId;
            redis.streamCommands().async().xinfoStream(key).thenAccept(info -> {
                String deleted = field(info, "max-deleted-entry-id");
                if (deleted != null && StreamIds.valid(deleted) && StreamIds.valid(readUpTo)
                        && StreamIds.toLong(deleted) > StreamIds.toLong(readUpTo)) {
                    // trimmed before this node read it: it fell further behind than the log's bounds
                    drops.drop("trimmed_unread", "entries up to " + deleted + " trimmed; read up to " + readUpTo);
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("trim not sent: {}", e.toString());
        }
    }

    private static String field(List<Object> info, String name) {
        for (int i = 0; i + 1 < info.size(); i += 2) {
            if (name.equals(String.valueOf(info.get(i)))) {
                return String.valueOf(info.get(i + 1));
            }
        }
        return null;
    }
}
