package com.salesmate.realtime.hub;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The socket writes this node's fan-outs have handed to the event loops and the loops have not yet written and
 * flushed: the node's emit backpressure. A REST emit is answered once its fan-out is queued, so without a bound a
 * caller that posts as soon as it is answered (a burst of alerts) queues fan-outs faster than the loops write them:
 * every queued event waits behind all the others, and under CPU starvation the queue holds each one's frame in the
 * heap. With a bound, a new emit is admitted only while the backlog is at most {@code limit} writes; past it the caller
 * waits on its own (REST) thread — never a loop's — until the loops catch up, or is refused after a bounded wait
 * (the REST API's 503 {@code unavailable}, nothing changed; {@code resources.EmitAdmission}). An emit admitted at or
 * under the bound adds its whole fan-out, however large: one alert to a tenant of 20,000 sockets is never refused for
 * its size. Counted: the writes of fan-outs to upgraded (websocket) sessions; a polling session's packets wait in its
 * own queue for its next poll, bounded per socket ({@code socketio.maxQueuedPerSocket}), not on a loop.
 *
 * <p>Counting costs the loops one atomic add per batch of writes; waiters are woken only while there are any.
 */
public final class WriteBacklog {
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final long limit;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Object room = new Object();

    /** {@code limit}: writes queued on the loops past which new emits wait. */
    public WriteBacklog(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the write backlog's limit must be at least 1, not " + limit);
        }
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }

    /** Writes handed to the loops and not yet written. */
    public long size() {
        return queued.get();
    }

    /** A fan-out handed {@code writes} to a loop. */
    public void queued(int writes) {
        queued.addAndGet(writes);
    }

    /** A loop has written (and flushed) {@code writes} of them. */
    public void written(int writes) {
        long left = queued.addAndGet(-writes);
        if (left <= limit && waiting.get() > 0) {
            synchronized (room) {
                room.notifyAll();
            }
        }
    }

    /**
     * Waits until the backlog is at most the limit, for at most {@code max}: true when there is room (at once,
     * usually), false when the loops did not catch up in time. Not to be called on an event loop (it would wait for
     * itself); callers there do not wait.
     */
    public boolean awaitRoom(Duration max) throws InterruptedException {
        if (queued.get() <= limit) {
            return true;
        }
        long deadline = System.nanoTime() + max.toNanos();
        waiting.incrementAndGet();
        try {
            synchronized (room) {
                while (queued.get() > limit) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    // a timed wait: a wake-up is never lost for long, whatever the order of add and notify
                    TimeUnit.NANOSECONDS.timedWait(room, Math.min(left, RECHECK_NANOS));
                }
                return true;
            }
        } finally {
            waiting.decrementAndGet();
        }
    }
}
