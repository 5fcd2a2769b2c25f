package com.salesmate.realtime.cluster;

import com.salesmate.realtime.persistence.IdGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * This node's id slot, leased in Redis, so that the location ids it makes never equal another live node's (they share
 * the database).
 */
final class SlotLease {
    private static final Logger LOG = LoggerFactory.getLogger(SlotLease.class);

    private final SharedState state;
    private final IdGenerator ids;
    private volatile int slot = -1;

    SlotLease(SharedState state, IdGenerator ids) {
        this.state = state;
        this.ids = ids;
    }

    /** The slot held, -1 before the first claim (the heartbeat renews it with the node). */
    int slot() {
        return slot;
    }

    /** Claims a free slot and makes the ids with it. Blocking: at start and on the node's own thread. */
    void claim() {
        int claimed = state.claimSlot(new SecureRandom().nextInt(IdGenerator.NODES), IdGenerator.NODES);
        if (claimed < 0) {
            throw new IllegalStateException("every one of the " + IdGenerator.NODES
                    + " id slots is held by a live node: a cluster has at most that many nodes");
        }
        if (claimed != slot) {
            LOG.info("node {} makes location ids with slot {}", state.node(), claimed);
        }
        slot = claimed;
        ids.node(claimed);
    }

    /** Gives the slot back (a clean stop). */
    CompletionStage<Long> release() {
        int held = slot;
        return held < 0 ? CompletableFuture.completedFuture(0L) : state.releaseSlot(held);
    }
}
