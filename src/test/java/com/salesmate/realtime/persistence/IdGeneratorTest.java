package com.salesmate.realtime.persistence;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** Ids from many threads at once (no lock) are unique, each thread's increasing, and carry the node's slot. */
@Timeout(60)
class IdGeneratorTest {

    @Test
    void idsFromManyThreadsAreUniqueIncreasingAndCarryTheSlot() throws Exception {
        check(Clock.systemUTC());
    }

    @Test
    void aFrozenClockBorrowsTheNextMillisecondsInsteadOfRepeating() throws Exception {
        // 4 x 20,000 ids in one clock millisecond: far more than the 16,384 sequence values of a millisecond
        check(Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC));
    }

    private static void check(Clock clock) throws Exception {
        IdGenerator ids = new IdGenerator(clock);
        ids.node(201);
        int threads = 4;
        int each = 20_000;
        Set<Long> all = ConcurrentHashMap.newKeySet();
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    long previous = Long.MIN_VALUE;
                    for (int i = 0; i < each; i++) {
                        long id = ids.next();
                        if (id <= previous || ((id >> 14) & 255) != 201 || !all.add(id)) {
                            throw new AssertionError("id " + id + " after " + previous);
                        }
                        previous = id;
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            w.start();
            workers.add(w);
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertThat(failures).isEmpty();
        assertThat(all).hasSize(threads * each);
        assertThat(new HashSet<>(all)).allMatch(id -> id > 0);
    }
}
