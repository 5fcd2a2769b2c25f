package com.salesmate.realtime.resources;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.hub.WriteBacklog;
import com.salesmate.realtime.metrics.HistogramTimer;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Emit backpressure on the REST side ({@link WriteBacklog}): an emit is carried out at once while the socket writes
 * queued on this node's event loops are at most their bound and no emit is held. Otherwise it is held, on its own
 * (HTTP) thread, never an event loop's: held emits go one at a time in arrival order, each when the loops have room,
 * and each keeps the turn until its fan-out is queued ({@link #carryOut} returns), so the bound is not overshot by all
 * the waiters at once and a caller with many connections does not overtake one that posts one emit at a time. An emit
 * that does not get its turn and room within {@code maxWait}, or that finds {@code maxHeld} emits already held, is
 * refused with {@code unavailable} and {@code Retry-After: 1} before anything is stored or sent. The resource admits
 * an emit after its own checks (credential, tenant, body): a refusal for those does not depend on the load; it keeps
 * the turn only while it hands its fan-out over (not through a notification's insert, a webhook report or the wait
 * for the cluster's count). In cluster mode an emit is appended to the stream and this node's share is counted when
 * its reader delivers it, so held emits pace against what the node has delivered so far, a little behind.
 *
 * <p>The bound is the node's, shared by its tenants: one tenant's fan-outs hold the others' emits too (the
 * alternative, a bound per tenant, would not bound the loops).
 */
public final class EmitAdmission {
    public static final String BACKLOG = "socketio.emit-backlog";
    public static final String BACKLOG_LIMIT = "socketio.emit-backlog.limit";
    /** Emits that found the backlog over its bound (or others held) and waited, then carried out or refused. */
    public static final String HELD = "socketio.emits.held";
    public static final String REFUSED = "socketio.emits.refused";
    /** Emits held now: waiting for their turn, or carrying it out. */
    public static final String HOLDING = "socketio.emits.holding";
    /** How long held emits waited (histogram). */
    public static final String WAIT = "socketio.emits.wait";
    private static final int RETRY_AFTER_SECONDS = 1;

    private final WriteBacklog backlog;
    private final Duration maxWait;
    private final int maxHeld;
    /** The turn of held emits, handed on in arrival order. */
    private final Semaphore turn = new Semaphore(1, true);
    /** Emits waiting for the turn or holding it. */
    private final AtomicInteger holding = new AtomicInteger();
    private final Meter held;
    private final Meter refused;
    private final Timer waits;

    public EmitAdmission(WriteBacklog backlog, Duration maxWait, int maxHeld, MetricRegistry metrics) {
        this.backlog = backlog;
        this.maxWait = maxWait;
        this.maxHeld = maxHeld;
        metrics.register(BACKLOG, (Gauge<Long>) backlog::size);
        metrics.register(BACKLOG_LIMIT, (Gauge<Long>) backlog::limit);
        metrics.register(HOLDING, (Gauge<Integer>) holding::get);
        this.held = metrics.meter(HELD);
        this.refused = metrics.meter(REFUSED);
        this.waits = HistogramTimer.of(metrics, WAIT);
    }

    /**
     * Carries out {@code fanOut} (an emit's hand-over of its fan-out) now, or after a wait holding the turn of held
     * emits until it returns; refuses it with {@code unavailable} (nothing done) when it is not admitted.
     */
    public <T> T carryOut(Supplier<T> fanOut) {
        if (holding.get() == 0 && backlog.size() <= backlog.limit()) {
            return fanOut.get();
        }
        if (holding.incrementAndGet() > maxHeld) {
            holding.decrementAndGet();
            throw refuse();
        }
        held.mark();
        long started = System.nanoTime();
        boolean turnTaken = false;
        try {
            turnTaken = turn.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
            boolean admitted = turnTaken && backlog.awaitRoom(maxWait.minusNanos(System.nanoTime() - started));
            waits.update(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (!admitted) {
                throw refuse();
            }
            return fanOut.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            waits.update(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            throw refuse();
        } finally {
            if (turnTaken) {
                turn.release();
            }
            holding.decrementAndGet();
        }
    }

    /** Admits or refuses an emit as {@link #carryOut} does, keeping no turn: for one that is mostly not a fan-out. */
    public void pass() {
        carryOut(() -> null);
    }

    private ApiException refuse() {
        refused.mark();
        return ApiException.unavailable("this node is still writing earlier emits to its sockets; nothing was stored "
                + "or sent: retry shortly", RETRY_AFTER_SECONDS);
    }
}
