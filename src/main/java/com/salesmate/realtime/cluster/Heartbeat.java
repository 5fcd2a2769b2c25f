package com.salesmate.realtime.cluster;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.salesmate.realtime.metrics.HistogramTimer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node's heartbeat, on its own thread: each beat writes the figures and renews the node in Redis, which also reaps
 * dead nodes and ends presence graces; it claims the id slot again when it was lost, and registers everything again
 * when Redis comes back or the cluster had presumed the node dead.
 */
final class Heartbeat {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

    private final ClusterSettings settings;
    private final SharedState state;
    private final ClusterHealth health;
    private final NodeFigures figures;
    private final SlotLease slot;
    private final Registration registration;
    private final ScheduledExecutorService worker;
    private final Timer latency;
    private final Meter reapedNodes;
    private final Meter resyncs;
    private final AtomicBoolean ticking = new AtomicBoolean();
    /** This node's entries in Redis may be incomplete (a write failed, Redis was lost): registered again next beat. */
    private final AtomicBoolean dirty = new AtomicBoolean();
    private volatile boolean registered;

    Heartbeat(ClusterSettings settings, SharedState state, ClusterHealth health, NodeFigures figures, SlotLease slot,
              Registration registration, MetricRegistry metrics) {
        this.settings = settings;
        this.state = state;
        this.health = health;
        this.figures = figures;
        this.slot = slot;
        this.registration = registration;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-" + state.node());
            t.setDaemon(true);
            return t;
        });
        this.latency = HistogramTimer.of(metrics, ClusterNode.LATENCY);
        this.reapedNodes = metrics.meter("cluster.nodes.reaped");
        this.resyncs = metrics.meter("cluster.resyncs");
    }

    /** Registers the node and claims its slot (blocking, each bounded), then beats every interval. */
    void start() throws Exception {
        state.tick(settings.nodeTimeout(), -1).toCompletableFuture()
                .get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        slot.claim();
        registered = true;
        health.joined();
        long every = settings.heartbeatInterval().toMillis();
        worker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    /** Everything is registered again at the next beat. */
    void markDirty() {
        dirty.set(true);
    }

    /** Stops beating, waiting up to the command timeout for a beat that is still running. */
    void stop() {
        worker.shutdownNow();
        // a heartbeat still running, or waiting for Redis, would write the figures again after leave() deletes them
        long until = System.nanoTime() + settings.commandTimeout().toNanos();
        try {
            worker.awaitTermination(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (ticking.get() && System.nanoTime() < until) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** Takes the node's figures, slot and heartbeat out of Redis (a clean stop, after {@link #stop()}). */
    CompletionStage<Void> leave() {
        return CompletableFuture.allOf(
                figures.delete().toCompletableFuture(),
                slot.release().toCompletableFuture(),
                state.leave().toCompletableFuture());
    }

    private void tick() {
        if (!ticking.compareAndSet(false, true)) {
            return; // the previous beat is still waiting for Redis
        }
        long started = System.nanoTime();
        try {
            figures.write(settings.nodeTimeout().multipliedBy(3))
                    .thenCompose(x -> state.tick(settings.nodeTimeout(), slot.slot()))
                    .whenComplete((tick, failure) -> {
                        try {
                            if (failure != null) {
                                beatFailed(failure);
                            } else {
                                latency.update(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                                worker.execute(() -> beat(tick));
                            }
                        } finally {
                            ticking.set(false);
                        }
                    });
        } catch (RuntimeException e) { // rejected at once: not connected
            ticking.set(false);
            beatFailed(e);
        }
    }

    private void beat(SharedState.Tick tick) {
        health.beat(tick.liveNodes());
        if (tick.registeredNow() && registered) {
            LOG.warn("node {} had been presumed dead by the cluster (no heartbeat for {}); registering it again",
                    state.node(), settings.nodeTimeout());
            dirty.set(true);
        }
        for (String dead : tick.reaped()) {
            reapedNodes.mark();
            LOG.warn("node {} missed its heartbeat for {}: its sockets and presence are removed", dead,
                    settings.nodeTimeout());
        }
        registration.wentOffline(tick.offline());
        if (!tick.slotHeld()) { // reaped while away, and the slot may be someone else's now
            try {
                slot.claim();
            } catch (RuntimeException e) {
                markDirty();
            }
        }
        if (dirty.compareAndSet(true, false)) {
            resync();
        } else {
            registration.refresh();
        }
    }

    private void beatFailed(Throwable failure) {
        dirty.set(true);
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        health.failed(cause);
    }

    /** Registers this node's sockets and presence again, as they are now; reloads the revocations. */
    private void resync() {
        resyncs.mark();
        figures.forget(); // Redis may have lost them: the next beat writes every figure
        registration.again(this::markDirty);
    }
}
