package com.salesmate.realtime.cluster;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.auth.Revocations;
import com.salesmate.realtime.hub.Reach;
import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * This node as a member of a cluster over Redis ({@code redisUrl} set): wires the hub with the cluster's publisher,
 * presence, membership and directory, and joins (connects to Redis, subscribes, starts the {@link Heartbeat}) and
 * leaves the cluster. Nothing here runs on a Netty event loop or blocks one.
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
    private final StreamBus stream;
    private final ObjectMapper wireJson;
    private final ControlChannel channel;
    private final Revocations revocations;
    private final MetricRegistry metrics;
    private final ClusterHealth health;

    // built by wire() with this node's parts; the hub is built with the node, so wire() comes before start()
    private volatile Parts parts;
    private volatile ClusterControl control;
    private volatile Registration registration;
    private volatile Heartbeat heartbeat;
    private volatile ClusterRecovery recovery;

    /** Builds the node without connecting: Redis is reached in {@link #start()}. */
    public ClusterNode(ClusterSettings settings, String redisUrl, int maxMessageBytes, Revocations revocations,
                       MetricRegistry metrics, ObjectMapper wireJson, String sharedSecret) {
        this.settings = settings;
        byte[] id = new byte[6];
        new SecureRandom().nextBytes(id);
        this.node = HexFormat.of().formatHex(id);
        this.redis = new Redis(redisUrl, settings.commandTimeout());
        this.state = new SharedState(redis, settings.getKeyPrefix(), node, settings.commandTimeout());
        this.bus = new Bus(redis, settings.getChannelKey(), node, settings.getKeyPrefix() + "#control", maxMessageBytes,
                wireJson, metrics);
        this.stream = new StreamBus(redis, settings.getStreamName(), node, maxMessageBytes, wireJson, bus.drops(),
                metrics);
        this.wireJson = wireJson;
        this.channel = new ControlChannel(bus, new ControlSigner(sharedSecret), node, metrics);
        this.revocations = revocations;
        this.metrics = metrics;
        this.health = new ClusterHealth(node, redis, settings, bus, stream);
        stream.unreachableWhen(health::unreachable);
        metrics.register(NODES, (Gauge<Long>) health::liveNodes);
    }

    /** The stream is the log; dropped sockets wait in Redis. The stream keeps the window (or two minutes). */
    @Override
    public com.salesmate.realtime.hub.Recovery recovery(java.time.Duration window, int maxEvents,
                                                        java.time.Clock clock) {
        boolean on = !window.isZero() && maxEvents > 0;
        stream.bounds(on ? maxEvents : StreamBus.DEFAULT_MAX_LEN,
                (on ? window : java.time.Duration.ofMinutes(2)).plusSeconds(30));
        this.recovery = new ClusterRecovery(redis, stream, channel, settings.getKeyPrefix(), window, maxEvents, clock,
                wireJson);
        return recovery;
    }

    @Override
    public Wiring wire(Parts parts) {
        this.parts = parts;
        ClusterPublisher publisher = new ClusterPublisher(parts.local(), stream, state);
        ClusterMembership membership = new ClusterMembership(state, this::markDirty);
        ClusterPresence presence = new ClusterPresence(state, publisher, parts.sightings(), parts.presenceGrace(),
                parts.clock(), this::markDirty);
        this.control = new ClusterControl(channel, state, revocations, parts.registry(), settings.commandTimeout(),
                recovery);
        revocations.listen(control::revoked);
        this.registration = new Registration(state, membership, presence, control, parts);
        NodeFigures figures = new NodeFigures(state, parts.registry(), parts.metrics());
        SlotLease slot = new SlotLease(state, parts.ids());
        this.heartbeat = new Heartbeat(settings, state, health, figures, slot, registration, metrics);
        return new Wiring(publisher, presence, membership,
                new ClusterDirectory(parts.registry(), parts.metrics(), state, control::askOthersToDisconnect));
    }

    /** Joins: connected, subscribed, revocations loaded, heartbeat registered, before this node takes sockets. */
    @Override
    public void start() throws Exception {
        redis.connect(); // throws, saying where, when Redis cannot be reached: the node does not start
        LOG.info("cluster node {} on Redis {} (keys {}:*, stream {}, emitter channels {}#/#)", node, redis.where(),
                settings.getKeyPrefix(), settings.getStreamName(), settings.getChannelKey());
        bus.start(parts.local(), control::onControl);
        stream.start(parts.local());
        control.reloadRevocations();
        heartbeat.start();
    }

    /** Leaves: runs after the socket server stopped, so this node's sockets are already gone from the registry. */
    @Override
    public void stop() {
        heartbeat.stop();
        stream.stop();
        bus.stop();
        if (recovery != null) {
            recovery.stop();
        }
        registration.stop();
        // Dropwizard stops the server when a start fails: a node that never reached Redis has nothing there to clear
        if (redis.opened()) {
            try {
                CompletableFuture.allOf(registration.clear().toCompletableFuture(),
                                heartbeat.leave().toCompletableFuture())
                        .get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warn("node {} left without clearing its entries in Redis ({}); they go when its heartbeat expires",
                        node, e.toString());
            }
        }
        redis.close();
    }

    /** A write to Redis failed: the next heartbeat registers this node again (writes begin after start()). */
    private void markDirty() {
        heartbeat.markDirty();
    }

    /** Null when healthy, else why not. */
    public String problem() {
        return health.problem();
    }

    /** What the health check says when all is well. */
    public String summary() {
        return health.summary();
    }
}
