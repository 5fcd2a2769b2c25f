package com.salesmate.realtime.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the {@code redis} health check says of this node: how its last heartbeat went, and its connections' state. */
final class ClusterHealth {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterHealth.class);

    private final String node;
    private final Redis redis;
    private final ClusterSettings settings;
    private final Bus bus;
    private final StreamBus stream;
    private volatile long liveNodes;
    private volatile long lastBeat;
    private volatile String lastError;
    private volatile long failingSince;

    ClusterHealth(String node, Redis redis, ClusterSettings settings, Bus bus, StreamBus stream) {
        this.node = node;
        this.stream = stream;
        this.redis = redis;
        this.settings = settings;
        this.bus = bus;
    }

    /** Live nodes seen by the last heartbeat. */
    long liveNodes() {
        return liveNodes;
    }

    /** The node joined: its registering heartbeat landed. */
    void joined() {
        lastBeat = System.currentTimeMillis();
    }

    /** A heartbeat landed; said once when Redis had not answered until now. */
    void beat(long liveNodes) {
        this.liveNodes = liveNodes;
        lastBeat = System.currentTimeMillis();
        if (deafFor() > deafAfter()) {
            bus.resubscribe(); // and says so in problem() until it hears again
        }
        bus.echo(); // heard back before the next beats, unless the subscription no longer receives
        if (lastError != null) {
            LOG.info("Redis answers again; registering this node's sockets and presence");
            lastError = null;
        }
    }

    /** A heartbeat failed; said once, when Redis stops answering (not at every beat while it is away). */
    void failed(Throwable cause) {
        if (lastError == null) {
            failingSince = System.currentTimeMillis();
            LOG.warn("Redis at {} unreachable ({}); serving this node's sockets alone until it answers",
                    redis.where(), cause.toString());
        }
        lastError = cause.toString();
    }

    /** True when the heartbeat has failed for longer than a command's timeout: Redis is away, not blinking. */
    boolean unreachable() {
        return lastError != null && System.currentTimeMillis() - failingSince > settings.commandTimeout().toMillis();
    }

    /** Null when healthy, else why not. */
    String problem() {
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
        long deaf = deafFor();
        if (deaf > deafAfter()) {
            return "this node hears nothing on its subscription to Redis at " + redis.where() + " for " + deaf
                    + " ms: emits of Node.js emitters and the other nodes' control messages do not reach it";
        }
        long unread = System.currentTimeMillis() - stream.lastHeard();
        if (unread > deafAfter()) {
            return "this node has not read the bus's stream " + stream.key() + " on Redis at " + redis.where()
                    + " for " + unread + " ms: no emit reaches its sockets, its own included, until it reads again";
        }
        return null;
    }

    private long deafFor() {
        return System.currentTimeMillis() - bus.lastHeard();
    }

    /** Three heartbeats and a command's timeout without hearing its own echo: the node is deaf. */
    private long deafAfter() {
        return 3 * settings.heartbeatInterval().toMillis() + settings.commandTimeout().toMillis();
    }

    /** What the health check says when all is well. */
    String summary() {
        return "node " + node + ", " + liveNodes + " live nodes, Redis at " + redis.where();
    }
}
