package com.salesmate.realtime.hub;

import com.salesmate.realtime.metrics.SocketMetrics;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Runs database work off the event loops on a bounded executor; a full queue refuses instead of growing memory. */
public final class BlockingWork {
    private final Executor executor;
    private final SocketMetrics metrics;

    public BlockingWork(Executor executor, SocketMetrics metrics) {
        this.executor = executor;
        this.metrics = metrics;
    }

    /** Queues the work; false (and counted) when the queue is full. */
    public boolean offer(Runnable work) {
        try {
            executor.execute(work);
            return true;
        } catch (RejectedExecutionException e) {
            metrics.rejectedWork();
            return false;
        }
    }
}
