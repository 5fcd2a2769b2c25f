package com.salesmate.realtime.hub;

import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.persistence.IdGenerator;
import com.salesmate.realtime.persistence.SightingRecorder;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * How far the hub reaches: this node alone, or every node of a cluster. Given this node's parts, it answers the
 * publisher, presence, membership listener and directory the hub and the REST side use.
 */
public interface Reach {

    /** This node's parts. */
    record Parts(ConnectionRegistry registry, LocalPublisher local, SocketMetrics metrics, SightingRecorder sightings,
                 IdGenerator ids, ScheduledExecutorService timers, Duration presenceGrace, Clock clock) {
    }

    /** What the hub is built with. */
    record Wiring(Publisher publisher, Presence presence, Membership membership, Directory directory) {
    }

    Wiring wire(Parts parts);

    /**
     * Where connection state recovery keeps its log and the dropped sockets: this process for a single node; a
     * cluster shares them, so that a phone may come back on any node.
     */
    default Recovery recovery(Duration window, int maxEvents, Clock clock) {
        return new LocalRecovery(window, maxEvents, clock);
    }

    /** A single node: everything local. */
    static Reach singleNode() {
        return p -> new Wiring(p.local(),
                new LocalPresence(p.local(), p.sightings(), p.timers(), p.presenceGrace(), p.clock()),
                Membership.NONE, new LocalDirectory(p.registry(), p.metrics()));
    }
}
