package com.salesmate.realtime.hub;

import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.persistence.SightingRecorder;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Presence on one node: counts each salesman's sockets, tells the tenant's managers {@code salesman:online} on the
 * first and {@code salesman:offline} once the last has been gone for the grace period, and records last-seen times in
 * the database (batched by the recorder) so that status survives restarts.
 */
public class LocalPresence implements Presence {
    private volatile Listener listener;
    private static final class State {
        final String tenantId;
        final long onlineSince;
        int connections;
        ScheduledFuture<?> offline;

        State(String tenantId, long onlineSince) {
            this.tenantId = tenantId;
            this.onlineSince = onlineSince;
        }
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Publisher publisher;
    private final SightingRecorder sightings;
    private final ScheduledExecutorService timers;
    private final Duration grace;
    private final Clock clock;

    public LocalPresence(Publisher publisher, SightingRecorder sightings, ScheduledExecutorService timers,
                         Duration grace, Clock clock) {
        this.publisher = publisher;
        this.sightings = sightings;
        this.timers = timers;
        this.grace = grace;
        this.clock = clock;
    }

    @Override
    public void connected(Identity salesman) {
        long now = clock.millis();
        boolean[] cameOnline = {false};
        states.compute(salesman.salesmanId(), (id, state) -> {
            if (state == null) {
                state = new State(salesman.tenantId(), now);
                cameOnline[0] = true;
            }
            if (state.offline != null) { // back within the grace: still online, nothing to tell
                state.offline.cancel(false);
                state.offline = null;
            }
            state.connections++;
            return state;
        });
        sightings.seen(salesman.tenantId(), salesman.salesmanId(), now);
        if (cameOnline[0]) {
            tell(Events.SALESMAN_ONLINE, salesman.tenantId(), salesman.salesmanId(), now);
        }
    }

    @Override
    public void disconnected(Identity salesman, long at) {
        sightings.seen(salesman.tenantId(), salesman.salesmanId(), at); // lastSeen: when a socket last left
        states.computeIfPresent(salesman.salesmanId(), (id, state) -> {
            state.connections--;
            if (state.connections <= 0) {
                state.connections = 0;
                state.offline = timers.schedule(() -> goOffline(id, state, at), grace.toMillis(), TimeUnit.MILLISECONDS);
            }
            return state;
        });
    }

    private void goOffline(String salesmanId, State expected, long at) {
        boolean[] gone = {false};
        states.computeIfPresent(salesmanId, (id, state) -> {
            if (state == expected && state.connections == 0) {
                gone[0] = true;
                return null;
            }
            return state;
        });
        if (!gone[0]) {
            return;
        }
        tell(Events.SALESMAN_OFFLINE, expected.tenantId, salesmanId, at);
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
        State s = states.get(salesmanId);
        return s == null ? Optional.empty() : Optional.of(snapshot(salesmanId, s));
    }

    @Override
    public List<Online> onlineInTenant(String tenantId) {
        return states.entrySet().stream()
                .filter(e -> e.getValue().tenantId.equals(tenantId))
                .map(e -> snapshot(e.getKey(), e.getValue()))
                .toList();
    }

    private static Online snapshot(String salesmanId, State s) {
        return new Online(s.tenantId, salesmanId, s.connections, s.onlineSince);
    }
}
