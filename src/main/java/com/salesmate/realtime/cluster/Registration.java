package com.salesmate.realtime.cluster;

import com.salesmate.realtime.hub.Reach;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * This node's sockets and presence as the cluster sees them: kept current with each heartbeat, registered again from
 * scratch (with the revocations reloaded) when Redis may have lost them, and cleared when the node leaves.
 */
final class Registration {
    private final SharedState state;
    private final ClusterMembership membership;
    private final ClusterPresence presence;
    private final ClusterControl control;
    private final Reach.Parts parts;

    Registration(SharedState state, ClusterMembership membership, ClusterPresence presence, ClusterControl control,
                 Reach.Parts parts) {
        this.state = state;
        this.membership = membership;
        this.presence = presence;
        this.control = control;
        this.parts = parts;
    }

    /** Writes again the sockets whose transport changed since they were registered. */
    void refresh() {
        membership.refreshTransports(parts.registry());
    }

    /** Salesmen the heartbeat found offline (grace over, or their node dead): told to their managers. */
    void wentOffline(List<SharedState.Offline> offline) {
        offline.forEach(presence::wentOffline);
    }

    /**
     * Registers the sockets and presence again, as they are now, and reloads the revocations; {@code failed} runs when
     * any of it did not land (the next beat tries again).
     */
    void again(Runnable failed) {
        long now = parts.clock().millis();
        // sockets and presence are issued at once, in order on one connection; presence's snapshot is taken where its
        // changes are issued, so none made meanwhile is lost or overwritten
        CompletionStage<?> sockets = membership.reregister(parts.registry());
        CompletionStage<List<String[]>> synced = presence.sync(now);
        sockets.thenCombine(synced, (x, online) -> online)
                .whenComplete((online, failure) -> {
                    if (failure != null) {
                        failed.run();
                        return;
                    }
                    online.forEach(pair -> presence.cameOnline(pair[0], pair[1], now));
                });
        try {
            control.reloadRevocations();
        } catch (RuntimeException e) {
            failed.run();
        }
    }

    /** Stops issuing writes (the node is leaving). */
    void stop() {
        membership.stop();
    }

    /** Takes this node's presence and sockets out of Redis (a clean stop). */
    CompletionStage<Void> clear() {
        return CompletableFuture.allOf(
                state.presenceSync(Map.of(), parts.presenceGrace(), parts.clock().millis()).toCompletableFuture(),
                state.resetNode().toCompletableFuture());
    }
}
