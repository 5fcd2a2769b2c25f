package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.DisconnectReason;
import com.salesmate.realtime.hub.Events;
import com.salesmate.realtime.hub.LivePids;
import com.salesmate.realtime.hub.OutboundEvent;
import com.salesmate.realtime.hub.Recovery;
import io.lettuce.core.SetArgs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;

/**
 * Connection state recovery across the cluster: the log is the bus's stream (an event's offset is its entry id, the
 * same on every node), and a dropped socket waits in Redis ({@code <keyPrefix>:session:<pid>}, expiring with the
 * window), so a phone may come back on any node. Taking a session is a GET and a DEL (one node wins); the gap is read
 * with XRANGE off the event loop, then sent while no entry is being delivered, topped up with what was delivered
 * meanwhile, so each event reaches the socket once and in the stream's order. Bounded: a gap the stream no longer
 * covers (trimmed) gets a fresh session; one of more than {@link #MAX_REPLAY} events, or one that cannot be read,
 * closes the recovered transport so that the client reconnects to a fresh session.
 */
final class ClusterRecovery implements Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRecovery.class);
    /** How far before a gap a copy's original may be: copies land seconds after (retries stop at two timeouts). */
    static final long COPY_HORIZON_MILLIS = 10_000;
    /** How long a reconnecting phone waits for another node to let go of its old socket. */
    static final long RELEASE_WAIT_MILLIS = 300;
    private static final long RELEASE_POLL_MILLIS = 20;
    /** Most CONNECTs waiting for another node at once; past it a stale pid gets a fresh session without the wait. */
    static final int MAX_RELEASE_WAITS = 500;
    private final java.util.concurrent.atomic.AtomicInteger releaseWaits = new java.util.concurrent.atomic.AtomicInteger();

    private final Redis redis;
    private final StreamBus stream;
    private final String sessionPrefix;
    private final Duration window;
    private final int maxEvents;
    private final Clock clock;
    private final ObjectMapper json;
    private final LivePids live = new LivePids();
    private final ControlChannel channel;
    private final ScheduledExecutorService replays;

    ClusterRecovery(Redis redis, StreamBus stream, ControlChannel channel, String keyPrefix, Duration window,
                    int maxEvents, Clock clock, ObjectMapper json) {
        this.redis = redis;
        this.stream = stream;
        this.channel = channel;
        this.sessionPrefix = keyPrefix + ":session:";
        this.window = window;
        this.maxEvents = maxEvents;
        this.clock = clock;
        this.json = json;
        this.replays = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "cluster-recovery");
            t.setDaemon(true);
            return t;
        });
    }

    void stop() {
        replays.shutdownNow();
    }

    @Override
    public boolean enabled() {
        return !window.isZero() && maxEvents > 0;
    }

    @Override
    public long position() {
        return stream.position();
    }

    @Override
    public boolean remote() {
        return true;
    }

    /** Emits from this node go through the stream ({@link ClusterPublisher}); what comes here is not logged. */
    @Override
    public int log(OutboundEvent event, Collection<String> rooms, Set<String> except, String exceptUserId,
                   String conflation, ToIntFunction<Entry> send) {
        return send.applyAsInt(new Entry(-1, clock.millis(), event, rooms, except, exceptUserId, conflation));
    }

    @Override
    public LivePids live() {
        return live;
    }

    @Override
    public void save(Saved session) {
        try {
            redis.commands().set(sessionPrefix + session.pid(), encode(session),
                    SetArgs.Builder.px(window.toMillis())).whenComplete((ok, failure) -> {
                        if (failure != null) {
                            LOG.debug("session {} not kept: {}", session.pid(), failure.toString());
                        }
                    });
        } catch (RuntimeException e) {
            LOG.debug("session {} not kept: {}", session.pid(), e.toString()); // Redis unreachable: no recovery
        }
    }

    @Override
    public Saved take(String pid, String offset, Identity identity) {
        if (!enabled() || (offset != null && !StreamIds.valid(offset))) {
            return null; // an offset this cluster did not give: a fresh session
        }
        String key = sessionPrefix + pid;
        try {
            String text = redis.syncCommands().get(key);
            Saved s = text == null ? null : decode(text);
            if (s == null || !s.identity().sameSubjectAs(identity)) {
                return null; // another subject's pid takes nothing from its owner
            }
            if (redis.syncCommands().del(key) != 1) {
                return null; // taken meanwhile, on this node or another
            }
            // never before the socket connected: an old offset would replay what it was never addressed, and make
            // this node read the whole log
            long from = offset == null ? s.since() : Math.max(StreamIds.toLong(offset), s.since());
            if (StreamIds.toLong(stream.maxDeletedId()) > from) {
                return null; // part of the gap was trimmed away
            }
            return new Saved(s.pid(), s.connectionId(), identity, s.rooms(), from, s.leftAt());
        } catch (RuntimeException e) {
            LOG.debug("session {} not recovered: {}", pid, e.toString());
            return null;
        }
    }

    /**
     * Asks every node, on the signed control channel, to let go of a live socket with {@code pid} of {@code identity}'s
     * subject; the one holding it closes it as a lost transport, which saves it here. Completes (on a thread of this
     * class, never an event loop) true once it is saved, false when nothing is saved within
     * {@link #RELEASE_WAIT_MILLIS} (no node holds it: the pid is stale, or belonged to another subject).
     */
    @Override
    public CompletionStage<Boolean> release(String pid, Identity identity) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        if (releaseWaits.incrementAndGet() > MAX_RELEASE_WAITS) { // a reconnect wave of stale pids: no waits
            releaseWaits.decrementAndGet();
            done.complete(false);
            return done;
        }
        done.whenComplete((r, e) -> releaseWaits.decrementAndGet());
        Map<String, Object> message = new java.util.LinkedHashMap<>();
        message.put("type", "release");
        message.put("pid", pid);
        message.put("tenantId", identity.tenantId());
        message.put("userId", identity.userId());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RELEASE_WAIT_MILLIS);
        try {
            channel.send(message).whenComplete((n, failure) -> {
                if (failure != null) {
                    done.complete(false);
                } else {
                    replays.execute(() -> awaitSaved(sessionPrefix + pid, deadline, done));
                }
            });
        } catch (RuntimeException e) {
            done.complete(false);
        }
        return done;
    }

    private void awaitSaved(String key, long deadline, CompletableFuture<Boolean> done) {
        try {
            if (redis.syncCommands().exists(key) > 0) {
                done.complete(true);
            } else if (System.nanoTime() > deadline) {
                done.complete(false);
            } else {
                replays.schedule(() -> awaitSaved(key, deadline, done), RELEASE_POLL_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) { // Redis unreachable, or shutting down
            done.complete(false);
        }
    }

    /** Another node asks for the socket of {@code pid}: closed as a lost transport (and saved) when it is here. */
    void released(String pid, String tenantId, String userId) {
        Connection c = live.liveOf(pid);
        if (c != null && c.identity() != null && c.identity().tenantId().equals(tenantId)
                && c.identity().userId().equals(userId)) {
            c.closed(DisconnectReason.TRANSPORT_CLOSE);
        }
    }

    @Override
    public void replay(Saved saved, Connection to, ToIntFunction<OutboundEvent> send, IntConsumer done) {
        try {
            replays.execute(() -> replayNow(saved, to, send, done));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            to.closed(DisconnectReason.RECOVERY_INCOMPLETE); // shutting down
        }
    }

    private void replayNow(Saved saved, Connection to, ToIntFunction<OutboundEvent> send, IntConsumer done) {
        String from = StreamIds.fromLong(saved.since());
        try {
            // copies of entries at or before the offset (a resend lands seconds after its original) are not replayed
            RecentSeqs seen = new RecentSeqs();
            stream.copiesBefore(from, COPY_HORIZON_MILLIS).forEach(e -> seen.first(e.getKey(), e.getValue()));
            List<Map.Entry<String, StreamBus.Decoded>> all = stream.after(from, null, maxEvents);
            // caught up outside the delivery lock while the node delivers on; the lock covers the last few entries
            for (int round = 0; all != null && round < 3; round++) {
                String read = all.isEmpty() ? from : all.get(all.size() - 1).getKey();
                if (stream.position() <= StreamIds.toLong(read)) {
                    break;
                }
                List<Map.Entry<String, StreamBus.Decoded>> more = stream.after(read, null, maxEvents - all.size());
                all = more == null ? null : concat(all, more);
            }
            if (all == null) {
                to.closed(DisconnectReason.RECOVERY_INCOMPLETE);
                return;
            }
            List<Map.Entry<String, StreamBus.Decoded>> gap = all;
            boolean whole = stream.whileStill(() -> {
                long delivered = stream.position();
                String read = gap.isEmpty() ? from : gap.get(gap.size() - 1).getKey();
                List<Map.Entry<String, StreamBus.Decoded>> entries = gap;
                if (delivered > StreamIds.toLong(read)) { // delivered live meanwhile, held back from this socket
                    List<Map.Entry<String, StreamBus.Decoded>> more =
                            stream.after(read, StreamIds.fromLong(delivered), maxEvents);
                    if (more == null) {
                        return false;
                    }
                    entries = concat(gap, more);
                }
                List<OutboundEvent> missed = addressed(saved, entries, seen);
                if (missed.size() > MAX_REPLAY) {
                    return false;
                }
                int sent = 0;
                for (OutboundEvent e : missed) {
                    sent += send.applyAsInt(e);
                }
                String last = entries.isEmpty() ? from : entries.get(entries.size() - 1).getKey();
                to.replayedUpTo(Math.max(delivered, StreamIds.toLong(last)));
                done.accept(sent);
                return true;
            });
            if (!whole) {
                to.closed(DisconnectReason.RECOVERY_INCOMPLETE);
            }
        } catch (RuntimeException e) {
            LOG.warn("socket {} could not be replayed its gap: {}", to.id(), e.toString());
            to.closed(DisconnectReason.RECOVERY_INCOMPLETE);
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }

    /**
     * The events of {@code entries} addressed to the saved socket, with their offsets, typing left out and
     * {@code location:updated} reduced to the newest per salesman, in stream order.
     */
    private List<OutboundEvent> addressed(Saved s, List<Map.Entry<String, StreamBus.Decoded>> entries,
                                          RecentSeqs seen) {
        List<Map.Entry<String, StreamBus.Decoded>> kept = new ArrayList<>();
        for (Map.Entry<String, StreamBus.Decoded> e : entries) {
            StreamBus.Decoded d = e.getValue();
            if (d.event() == null || !Recovery.replayable(d.event().name()) || !seen.first(d.uid(), d.seq())) {
                continue;
            }
            if (s.addressedBy(d.rooms(), d.except())) {
                kept.add(e);
            }
        }
        // newest first, so that of a conflated event only the newest is kept
        Set<String> newer = new HashSet<>();
        List<OutboundEvent> out = new ArrayList<>(kept.size());
        for (int i = kept.size() - 1; i >= 0; i--) {
            Map.Entry<String, StreamBus.Decoded> e = kept.get(i);
            String key = conflation(e.getValue().event());
            if (key == null || newer.add(key)) {
                out.add(e.getValue().event().withOffset(e.getKey()));
            }
        }
        Collections.reverse(out);
        return out;
    }


    /** {@code location:updated} of one salesman replace each other in a replay. */
    private String conflation(OutboundEvent event) {
        if (!Events.LOCATION_UPDATED.equals(event.name()) || event.args().isEmpty()) {
            return null;
        }
        try {
            JsonNode point = json.readTree(event.args().get(0));
            return point.path("tenantId").asText() + "|" + point.path("salesmanId").asText();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private String encode(Saved s) {
        ObjectNode n = json.createObjectNode();
        n.put("pid", s.pid());
        n.put("id", s.connectionId());
        Identity i = s.identity();
        n.put("userId", i.userId());
        n.put("tenantId", i.tenantId());
        n.put("role", i.role().name());
        n.put("salesmanId", i.salesmanId());
        n.put("expiresAt", i.expiresAt() == null ? null : i.expiresAt().toEpochMilli());
        s.rooms().forEach(n.putArray("rooms")::add);
        n.put("since", s.since());
        n.put("leftAt", s.leftAt());
        return n.toString();
    }

    private Saved decode(String text) {
        try {
            JsonNode n = json.readTree(text);
            Set<String> rooms = new HashSet<>();
            n.path("rooms").forEach(r -> rooms.add(r.asText()));
            Identity identity = new Identity(n.path("userId").asText(), n.path("tenantId").asText(),
                    Role.valueOf(n.path("role").asText()), n.path("salesmanId").isTextual()
                    ? n.path("salesmanId").asText() : null,
                    n.path("expiresAt").isNumber() ? Instant.ofEpochMilli(n.path("expiresAt").asLong()) : null);
            return new Saved(n.path("pid").asText(), n.path("id").asText(), identity, Set.copyOf(rooms),
                    n.path("since").asLong(), n.path("leftAt").asLong());
        } catch (java.io.IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
