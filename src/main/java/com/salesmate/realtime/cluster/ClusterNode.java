package com.salesmate.realtime.cluster;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.auth.Revocations;
import com.salesmate.realtime.core.Ids;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.LocalDirectory;
import com.salesmate.realtime.hub.Reach;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.persistence.IdGenerator;
import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This node as a member of a cluster over Redis ({@code redisUrl} set): wires the hub with the cluster's publisher,
 * presence, membership and directory, beats the heartbeat (which also reaps dead nodes and ends presence graces),
 * carries the disconnect task and revocations to every node, and registers everything again when Redis comes back.
 * Nothing here runs on a Netty event loop or blocks one: Redis is asked asynchronously, and the one blocking step
 * (reloading revocations) runs on the node's own thread.
 */
public final class ClusterNode implements Reach, Managed {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    public static final String NODES = "cluster.nodes";
    public static final String LATENCY = "cluster.redis.latency";

    private final ClusterSettings settings;
    private final String node;
    private final Redis redis;
    private final SharedState state;
    private final Bus bus;
    private final Revocations revocations;
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService worker;
    private final Timer latency;
    private final Meter reapedNodes;
    private final Meter resyncs;
    private final AtomicBoolean ticking = new AtomicBoolean();
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final String controlChannel;

    private volatile Parts parts;
    private volatile ClusterPresence presence;
    private volatile ClusterMembership membership;
    private volatile long liveNodes;
    private volatile long lastBeat;
    private volatile String lastError;
    private volatile boolean registered;
    private volatile int slot = -1;
    /** The figures the last heartbeat wrote (a beat writes only what changed since). */
    private volatile Map<String, String> lastFigures = Map.of();
    private final ControlSigner signer;
    private final com.codahale.metrics.Meter refusedControl;
    private final java.util.concurrent.atomic.AtomicLong lastRefusalLog = new java.util.concurrent.atomic.AtomicLong();

    public ClusterNode(ClusterSettings settings, String redisUrl, int maxMessageBytes, Revocations revocations,
                       MetricRegistry metrics, ObjectMapper wireJson, String sharedSecret) {
        this.settings = settings;
        this.signer = new ControlSigner(sharedSecret);
        this.refusedControl = metrics.meter("cluster.control.refused");
        byte[] id = new byte[6];
        new SecureRandom().nextBytes(id);
        this.node = HexFormat.of().formatHex(id);
        this.redis = new Redis(redisUrl, settings.commandTimeout());
        this.state = new SharedState(redis, settings.getKeyPrefix(), node, settings.commandTimeout());
        this.controlChannel = settings.getKeyPrefix() + "#control";
        this.bus = new Bus(redis, settings.getChannelKey(), node, controlChannel, maxMessageBytes, wireJson, metrics);
        this.revocations = revocations;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-" + node);
            t.setDaemon(true);
            return t;
        });
        this.latency = metrics.timer(LATENCY);
        this.reapedNodes = metrics.meter("cluster.nodes.reaped");
        this.resyncs = metrics.meter("cluster.resyncs");
        metrics.register(NODES, (Gauge<Long>) () -> liveNodes);
        revocations.listen(this::revoked);
    }

    @Override
    public Wiring wire(Parts parts) {
        this.parts = parts;
        ClusterPublisher publisher = new ClusterPublisher(parts.local(), bus, state);
        this.membership = new ClusterMembership(state, this::markDirty);
        this.presence = new ClusterPresence(state, publisher, parts.sightings(), parts.presenceGrace(), parts.clock(),
                this::markDirty);
        return new Wiring(publisher, presence, membership,
                new ClusterDirectory(parts.registry(), parts.metrics(), state, this::askOthersToDisconnect));
    }

    /** Joins: subscribed, revocations loaded, heartbeat registered, before this node takes sockets. */
    @Override
    public void start() throws Exception {
        redis.connect(); // throws, saying where, when Redis cannot be reached: the node does not start
        LOG.info("cluster node {} on Redis {} (keys {}:*, adapter channels {}#/#)", node, redis.where(),
                settings.getKeyPrefix(), settings.getChannelKey());
        bus.start(parts.local(), this::onControl);
        reloadRevocations();
        state.tick(settings.nodeTimeout(), -1).toCompletableFuture()
                .get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        claimSlot();
        registered = true;
        lastBeat = System.currentTimeMillis();
        long every = settings.heartbeatInterval().toMillis();
        worker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    /** Leaves: runs after the socket server stopped, so this node's sockets are already gone from the registry. */
    @Override
    public void stop() {
        worker.shutdownNow();
        // a heartbeat still running, or waiting for Redis, would write the figures again after they are deleted below
        long until = System.nanoTime() + settings.commandTimeout().toNanos();
        try {
            worker.awaitTermination(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (ticking.get() && System.nanoTime() < until) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        bus.stop();
        if (membership != null) {
            membership.stop();
        }
        try {
            CompletableFuture.allOf(
                    state.presenceSync(Map.of(), parts.presenceGrace(), parts.clock().millis()).toCompletableFuture(),
                    state.resetNode().toCompletableFuture(),
                    state.deleteFigures().toCompletableFuture(),
                    slot < 0 ? CompletableFuture.completedFuture(0L) : state.releaseSlot(slot).toCompletableFuture(),
                    state.leave().toCompletableFuture())
                    .get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("node {} left without clearing its entries in Redis ({}); they go when its heartbeat expires",
                    node, e.toString());
        }
        redis.close();
    }

    // ---- heartbeat

    private void tick() {
        if (!ticking.compareAndSet(false, true)) {
            return; // the previous beat is still waiting for Redis
        }
        long started = System.nanoTime();
        try {
            Map<String, String> now = figures();
            Map<String, String> written = lastFigures;
            Map<String, String> changed = new HashMap<>();
            now.forEach((k, v) -> {
                if (!v.equals(written.get(k))) {
                    changed.put(k, v);
                }
            });
            List<String> gone = written.keySet().stream().filter(k -> !now.containsKey(k)).toList();
            lastFigures = Map.of(); // until this write is known to have landed: the next beat writes everything
            state.writeFigures(changed, gone, settings.nodeTimeout().multipliedBy(3))
                    .thenApply(ok -> {
                        lastFigures = now;
                        return ok;
                    })
                    .thenCompose(x -> state.tick(settings.nodeTimeout(), slot))
                    .whenComplete((tick, failure) -> {
                        try {
                            if (failure != null) {
                                beatFailed(failure);
                            } else {
                                latency.update(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                                worker.execute(() -> beat(tick));
                            }
                        } finally {
                            ticking.set(false);
                        }
                    });
        } catch (RuntimeException e) { // rejected at once: not connected
            ticking.set(false);
            beatFailed(e);
        }
    }

    private void beat(SharedState.Tick tick) {
        liveNodes = tick.liveNodes();
        lastBeat = System.currentTimeMillis();
        if (lastError != null) {
            LOG.info("Redis answers again; registering this node's sockets and presence");
            lastError = null;
        }
        if (tick.registeredNow() && registered) {
            LOG.warn("node {} had been presumed dead by the cluster (no heartbeat for {}); registering it again",
                    node, settings.nodeTimeout());
            dirty.set(true);
        }
        for (String dead : tick.reaped()) {
            reapedNodes.mark();
            LOG.warn("node {} missed its heartbeat for {}: its sockets and presence are removed", dead,
                    settings.nodeTimeout());
        }
        tick.offline().forEach(presence::wentOffline);
        if (!tick.slotHeld()) { // reaped while away, and the slot may be someone else's now
            try {
                claimSlot();
            } catch (RuntimeException e) {
                markDirty();
            }
        }
        if (dirty.compareAndSet(true, false)) {
            resync();
        } else {
            membership.refreshTransports(parts.registry());
        }
    }

    private void beatFailed(Throwable failure) {
        dirty.set(true);
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (lastError == null) {
            LOG.warn("Redis at {} unreachable ({}); serving this node's sockets alone until it answers",
                    redis.where(), cause.toString());
        }
        lastError = cause.toString();
    }

    private void markDirty() {
        dirty.set(true);
    }

    /** Registers this node's sockets and presence again, as they are now; reloads the revocations. */
    private void resync() {
        resyncs.mark();
        lastFigures = Map.of(); // Redis may have lost them: the next beat writes every figure
        long now = parts.clock().millis();
        // sockets and presence are issued at once, in order on one connection; presence's snapshot is taken where its
        // changes are issued, so none made meanwhile is lost or overwritten
        CompletionStage<?> sockets = membership.reregister(parts.registry());
        CompletionStage<List<String[]>> synced = presence.sync(now);
        sockets.thenCombine(synced, (x, online) -> online)
                .whenComplete((online, failure) -> {
                    if (failure != null) {
                        markDirty();
                        return;
                    }
                    online.forEach(pair -> presence.cameOnline(pair[0], pair[1], now));
                });
        try {
            reloadRevocations();
        } catch (RuntimeException e) {
            markDirty();
        }
    }

    /**
     * Claims an id slot of its own, so that the location ids this node makes never equal another live node's (they
     * share the database). Blocking: at start and on the node's own thread.
     */
    private void claimSlot() {
        int claimed = state.claimSlot(new SecureRandom().nextInt(IdGenerator.NODES), IdGenerator.NODES);
        if (claimed < 0) {
            throw new IllegalStateException("every one of the " + IdGenerator.NODES
                    + " id slots is held by a live node: a cluster has at most that many nodes");
        }
        if (claimed != slot) {
            LOG.info("node {} makes location ids with slot {}", node, claimed);
        }
        slot = claimed;
        parts.ids().node(claimed);
    }

    // ---- disconnect task and revocations, for every node

    /** Stored in Redis, then told to the other nodes; completes when both are done (a revocation waits for it). */
    private java.util.concurrent.CompletionStage<?> revoked(String kind, String id, Instant until) {
        return state.revoke(kind, id, until.toEpochMilli())
                .thenCompose(ok -> sendControl(Map.of("type", "revoke", "kind", kind, "id", id,
                        "until", until.toEpochMilli())));
    }

    /** Tells the other nodes to close their sockets of the target; throws when Redis did not take the message. */
    private void askOthersToDisconnect(String tenantId, String salesmanId) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "disconnect");
        message.put("tenantId", tenantId);
        message.put("salesmanId", salesmanId);
        try {
            sendControl(message).toCompletableFuture().get(settings.commandTimeout().toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the disconnect was not published", e);
        }
    }

    /** Signed, with a time and a nonce: a receiver takes it once, within a minute, and only from a node. */
    private java.util.concurrent.CompletionStage<Long> sendControl(Map<String, Object> message) {
        Map<String, Object> m = new LinkedHashMap<>(message);
        m.put("from", node);
        m.put("at", System.currentTimeMillis());
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        m.put("nonce", HexFormat.of().formatHex(nonce));
        try {
            return bus.control(signer.sign(json.writeValueAsBytes(m)));
        } catch (IOException | RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    private void refuseControl(String why) {
        refusedControl.mark();
        long now = System.currentTimeMillis();
        long last = lastRefusalLog.get();
        if (now - last > 10_000 && lastRefusalLog.compareAndSet(last, now)) { // at most one line per 10 s
            LOG.warn("control message refused ({}); {} refused so far (cluster.control.refused)", why,
                    refusedControl.getCount());
        }
    }

    private void onControl(byte[] wire) {
        byte[] bytes = signer.verify(wire);
        if (bytes == null) {
            refuseControl("unsigned or not signed with the cluster's key");
            return;
        }
        JsonNode m;
        try {
            m = json.readTree(bytes);
        } catch (IOException e) {
            refuseControl("undecodable");
            return;
        }
        if (m == null || node.equals(m.path("from").asText())) {
            return;
        }
        if (!signer.fresh(m.path("nonce").asText(null), m.path("at").asLong(0), System.currentTimeMillis())) {
            refuseControl("replayed or outside the time window");
            return;
        }
        switch (m.path("type").asText()) {
            case "revoke" -> {
                String kind = m.path("kind").asText();
                String id = m.path("id").asText();
                if (Ids.isValid(id) && m.path("until").canConvertToLong()
                        && (Revocations.SALESMAN.equals(kind) || Revocations.TENANT.equals(kind))) {
                    revocations.restore(kind, id, Instant.ofEpochMilli(m.path("until").asLong()));
                }
            }
            case "disconnect" -> {
                String tenantId = m.path("tenantId").isTextual() ? m.path("tenantId").asText() : null;
                String salesmanId = m.path("salesmanId").isTextual() ? m.path("salesmanId").asText() : null;
                String target = salesmanId != null ? salesmanId : tenantId;
                if (target != null && Ids.isValid(target)) {
                    int n = LocalDirectory.closeHere(parts.registry(), tenantId, salesmanId);
                    LOG.info("disconnected {} sockets of {} {} (asked by node {})", n,
                            salesmanId != null ? "salesman" : "tenant", target, m.path("from").asText());
                }
            }
            default -> LOG.warn("unknown control message dropped");
        }
    }

    private void reloadRevocations() {
        state.revocations().forEach((key, until) -> {
            int colon = key.indexOf(':');
            if (colon > 0) {
                revocations.restore(key.substring(0, colon), key.substring(colon + 1), Instant.ofEpochMilli(until));
            }
        });
    }

    /** This node's counters for the other nodes' {@code /stats}. */
    private Map<String, String> figures() {
        SocketMetrics metrics = parts.metrics();
        Map<String, String> f = new HashMap<>();
        f.put("total", Long.toString(metrics.totalConnections()));
        f.put("active", Integer.toString(parts.registry().size()));
        f.put("sent", Long.toString(metrics.messagesSent()));
        f.put("received", Long.toString(metrics.messagesReceived()));
        metrics.tenants().all().forEach((tenant, t) -> {
            f.put("c|" + tenant, Long.toString(t.connections()));
            f.put("s|" + tenant, Long.toString(t.sent()));
            f.put("r|" + tenant, Long.toString(t.received()));
        });
        return f;
    }

    // ---- health

    /** Null when healthy, else why not. */
    public String problem() {
        String error = lastError;
        if (error != null) {
            return "Redis at " + redis.where() + " unreachable: " + error;
        }
        long since = System.currentTimeMillis() - lastBeat;
        if (since > 3 * settings.heartbeatInterval().toMillis() + settings.commandTimeout().toMillis()) {
            return "no heartbeat through Redis at " + redis.where() + " for " + since + " ms";
        }
        if (!redis.connected()) {
            return "connection to Redis at " + redis.where() + " lost; reconnecting";
        }
        return null;
    }

    /** What the health check says when all is well. */
    public String summary() {
        return "node " + node + ", " + liveNodes + " live nodes, Redis at " + redis.where();
    }
}
