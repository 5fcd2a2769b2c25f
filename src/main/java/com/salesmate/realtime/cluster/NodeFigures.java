package com.salesmate.realtime.cluster;

import com.salesmate.realtime.hub.ConnectionRegistry;
import com.salesmate.realtime.metrics.SocketMetrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * This node's counters in Redis, for the other nodes' {@code /stats}: written with each heartbeat, only what changed
 * since the last write that landed.
 */
final class NodeFigures {
    private final SharedState state;
    private final ConnectionRegistry registry;
    private final SocketMetrics metrics;
    /** The figures the last heartbeat wrote (a beat writes only what changed since). */
    private volatile Map<String, String> lastFigures = Map.of();

    NodeFigures(SharedState state, ConnectionRegistry registry, SocketMetrics metrics) {
        this.state = state;
        this.registry = registry;
        this.metrics = metrics;
    }

    /** Writes the figures that changed, deletes those gone, and renews the key's expiry to {@code ttl}. */
    CompletionStage<Boolean> write(Duration ttl) {
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
        return state.writeFigures(changed, gone, ttl)
                .thenApply(ok -> {
                    lastFigures = now;
                    return ok;
                });
    }

    /** Redis may have lost them: the next write writes every figure. */
    void forget() {
        lastFigures = Map.of();
    }

    /** Takes them out (a clean stop): the other nodes' {@code /stats} no longer count this node. */
    CompletionStage<Long> delete() {
        return state.deleteFigures();
    }

    private Map<String, String> figures() {
        Map<String, String> f = new HashMap<>();
        f.put("total", Long.toString(metrics.totalConnections()));
        f.put("active", Integer.toString(registry.size()));
        f.put("sent", Long.toString(metrics.messagesSent()));
        f.put("received", Long.toString(metrics.messagesReceived()));
        metrics.tenants().all().forEach((tenant, t) -> {
            f.put("c|" + tenant, Long.toString(t.connections()));
            f.put("s|" + tenant, Long.toString(t.sent()));
            f.put("r|" + tenant, Long.toString(t.received()));
        });
        return f;
    }
}
