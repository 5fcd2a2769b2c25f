package com.salesmate.realtime.cluster;

import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.hub.Events;
import com.salesmate.realtime.hub.Presence;
import com.salesmate.realtime.hub.Publisher;
import com.salesmate.realtime.persistence.SightingRecorder;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Presence for the whole cluster, decided in Redis by atomic scripts: a salesman is online while any node holds one
 * of his sockets, and {@code salesman:online} is emitted by the one node whose socket made him so;
 * {@code salesman:offline} by the one node whose heartbeat finds his grace over (or his node dead). Last-seen times
 * are recorded in the database as on a single node.
 */
final class ClusterPresence implements Presence {
    private volatile Listener listener;
    private final SharedState state;
    private final Publisher publisher;
    private final SightingRecorder sightings;
    private final Duration grace;
    private final Clock clock;
    private final Runnable failed;
    /**
     * This node's salesmen and how many sockets each holds here, changed under {@link #lock} as each change is issued
     * to Redis. A resync takes its snapshot and issues its sync under the same lock, on the same connection (so Redis
     * runs them in that order): a socket that arrives or leaves during a resync is either in the snapshot or after
     * the sync, never overwritten by it (before, a salesman who connected during a resync was announced offline while
     * connected, and one who left stayed online forever).
     */
    private final Map<String, Map.Entry<String, Integer>> held = new HashMap<>();
    private final Object lock = new Object();

    ClusterPresence(SharedState state, Publisher publisher, SightingRecorder sightings, Duration grace, Clock clock,
                    Runnable failed) {
        this.state = state;
        this.publisher = publisher;
        this.sightings = sightings;
        this.grace = grace;
        this.clock = clock;
        this.failed = failed;
    }

    @Override
    public void connected(Identity salesman) {
        long now = clock.millis();
        sightings.seen(salesman.tenantId(), salesman.salesmanId(), now);
        CompletionStage<Boolean> up;
        synchronized (lock) {
            held.merge(salesman.salesmanId(), Map.entry(salesman.tenantId(), 1),
                    (a, b) -> Map.entry(a.getKey(), a.getValue() + 1));
            up = state.presenceUp(salesman, now);
        }
        up.whenComplete((cameOnline, e) -> {
            if (e != null) {
                failed.run(); // told once Redis is back, when this node registers its presence again
            } else if (cameOnline) {
                tell(Events.SALESMAN_ONLINE, salesman.tenantId(), salesman.salesmanId(), now);
            }
        });
    }

    @Override
    public void disconnected(Identity salesman, long at) {
        sightings.seen(salesman.tenantId(), salesman.salesmanId(), at);
        CompletionStage<Long> down;
        synchronized (lock) {
            held.computeIfPresent(salesman.salesmanId(),
                    (s, tc) -> tc.getValue() <= 1 ? null : Map.entry(tc.getKey(), tc.getValue() - 1));
            down = state.presenceDown(salesman, at, grace);
        }
        down.whenComplete((r, e) -> {
            if (e != null) {
                failed.run();
            }
        });
    }

    /**
     * Sets this node's counts in Redis to what it holds now (after Redis came back, or after the node was presumed
     * dead); answers the (salesman, tenant) pairs that came online by it.
     */
    CompletionStage<List<String[]>> sync(long now) {
        synchronized (lock) {
            return state.presenceSync(new HashMap<>(held), grace, now);
        }
    }

    /** A salesman the cluster's heartbeat found offline. */
    void wentOffline(SharedState.Offline offline) {
        sightings.seen(offline.tenantId(), offline.salesmanId(), offline.at());
        tell(Events.SALESMAN_OFFLINE, offline.tenantId(), offline.salesmanId(), offline.at());
    }

    /** A salesman that came online when this node registered its presence again. */
    void cameOnline(String salesmanId, String tenantId, long at) {
        tell(Events.SALESMAN_ONLINE, tenantId, salesmanId, at);
    }

    private void tell(String event, String tenantId, String salesmanId, long at) {
        Presence.tell(publisher, listener, event, tenantId, salesmanId, at);
    }

    @Override
    public void listen(Listener listener) {
        this.listener = listener;
    }

    @Override
    public Optional<Online> online(String salesmanId) {
        return state.online(salesmanId);
    }

    @Override
    public List<Online> onlineInTenant(String tenantId) {
        return state.onlineInTenant(tenantId);
    }
}
