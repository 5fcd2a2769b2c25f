package com.salesmate.realtime.persistence;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time-ordered 64-bit ids: 41 bits of milliseconds since 2024-01-01, 8 bits of node, 14 bits of sequence. A single
 * node picks its node bits at random; in a cluster, where several processes write to one database, each node holds
 * a slot of its own (claimed in Redis) and sets them with {@link #node(int)}.
 */
public final class IdGenerator {
    private static final long EPOCH = 1_704_067_200_000L;
    private static final int SEQ_BITS = 14;
    private static final long SEQ_MASK = (1L << SEQ_BITS) - 1;
    /** How many node values there are. */
    public static final int NODES = 256;

    private final Clock clock;
    private volatile long node = new SecureRandom().nextInt(NODES);
    /** The last id's milliseconds and sequence, packed ({@code millis << SEQ_BITS | sequence}); taken by CAS, no lock. */
    private final AtomicLong last = new AtomicLong(-1L << SEQ_BITS);

    public IdGenerator(Clock clock) {
        this.clock = clock;
    }

    /** Sets the node bits (0..255): in a cluster, the slot this node holds. */
    public void node(int slot) {
        if (slot < 0 || slot >= NODES) {
            throw new IllegalArgumentException("node slot out of range: " + slot);
        }
        this.node = slot;
    }

    public long next() {
        long wall = clock.millis() - EPOCH;
        while (true) {
            long previous = last.get();
            long lastMillis = previous >> SEQ_BITS;
            long millis = Math.max(wall, lastMillis);
            long sequence = 0;
            if (millis == lastMillis) {
                sequence = ((previous & SEQ_MASK) + 1) & SEQ_MASK;
                if (sequence == 0) {
                    millis = lastMillis + 1; // borrow the next millisecond rather than spin
                }
            }
            long packed = (millis << SEQ_BITS) | sequence;
            if (last.compareAndSet(previous, packed)) {
                return (millis << (8 + SEQ_BITS)) | (node << SEQ_BITS) | sequence;
            }
        }
    }
}
