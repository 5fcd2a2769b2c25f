package com.salesmate.realtime.persistence;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * Time-ordered 64-bit ids: 41 bits of milliseconds since 2024-01-01, 8 random bits chosen per process (so two
 * nodes or a restart within the same millisecond do not collide in practice), 14 bits of sequence.
 */
public final class IdGenerator {
    private static final long EPOCH = 1_704_067_200_000L;
    private static final int SEQ_BITS = 14;
    private static final long SEQ_MASK = (1L << SEQ_BITS) - 1;

    private final Clock clock;
    private final long node = new SecureRandom().nextInt(256);
    private long lastMillis = -1;
    private long sequence;

    public IdGenerator(Clock clock) {
        this.clock = clock;
    }

    public synchronized long next() {
        long now = Math.max(clock.millis() - EPOCH, lastMillis);
        if (now == lastMillis) {
            sequence = (sequence + 1) & SEQ_MASK;
            if (sequence == 0) {
                now = lastMillis + 1; // borrow the next millisecond rather than spin
            }
        } else {
            sequence = 0;
        }
        lastMillis = now;
        return (now << (8 + SEQ_BITS)) | (node << SEQ_BITS) | sequence;
    }
}
