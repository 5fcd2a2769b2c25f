package com.salesmate.realtime.persistence;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.salesmate.realtime.metrics.HistogramTimer;
import io.dropwizard.lifecycle.Managed;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;

/**
 * Checkpoints SQLite's write-ahead log on a thread of its own, so that no commit waits for one. SQLite's automatic
 * checkpoint (every 1,000 pages of WAL, about every half second at 2,400 location updates/s) runs inside the commit
 * that crosses the threshold: that commit, and every row queued behind it, waits for the pages to be copied into the
 * database file and for its fsync. With {@code wal_autocheckpoint=0} on every pooled connection
 * ({@link DatabaseFactory}), this thread instead runs a {@code PASSIVE} checkpoint every interval, which copies what
 * is committed while the writer goes on committing.
 *
 * <p>A passive checkpoint never waits for writers, and SQLite starts the log over from its beginning only when a write
 * transaction begins with every frame copied: under sustained load the writer's next transaction has always begun
 * before a pass ends, and the log grows without end (past 400 MB in four seconds in {@code WalCheckpointerTest}).
 * So when the log has {@code restartFrames} frames or more after a pass, a second pass runs while the location writer
 * is held between two commits ({@link LocationWriter#commits()}): the writer waits for a copy of the few frames it
 * committed during the first pass instead of the whole log, and its next transaction starts the log over. The log
 * stays near {@code restartFrames} plus what is written in one interval.
 *
 * <p>Durability is SQLite's own and unchanged: a commit is acknowledged after the log is synced
 * ({@code synchronous=FULL}), and a checkpoint syncs the log before copying and the database file before the copied
 * frames may be overwritten.
 */
public final class WalCheckpointer implements Managed {
    public static final String METRIC_CHECKPOINT = "locations.checkpoint";
    public static final String METRIC_CATCH_UP = "locations.checkpoint.catch-up";
    public static final String METRIC_FAILED = "locations.checkpoint.failed";

    /**
     * Frames in the log after a pass from which the catch-up pass runs (16 MiB of 4 KiB pages): four times SQLite's
     * own automatic checkpoint size, so that the writer is held less often: at 2,400-4,800 updates/s about every
     * 0.7 s for 2 ms at the median (at 1,000 frames: about every 0.4 s for 5 ms).
     */
    public static final long RESTART_FRAMES = 4_000;

    private static final Logger LOG = LoggerFactory.getLogger(WalCheckpointer.class);

    /** The outcome of {@code PRAGMA wal_checkpoint}: frames in the log and frames copied (both -1 outside WAL mode). */
    record Pass(boolean busy, long logFrames, long checkpointedFrames) {
    }

    private final Jdbi jdbi;
    private final Lock commits;
    private final Duration interval;
    private final long restartFrames;
    private final Timer checkpointTimer;
    private final Timer catchUpTimer;
    private final com.codahale.metrics.Counter failed;
    private final AtomicLong lastLogFrames = new AtomicLong();
    private volatile boolean running;
    private Thread thread;

    public WalCheckpointer(Jdbi jdbi, Lock commits, Duration interval, long restartFrames, MetricRegistry metrics) {
        this.jdbi = jdbi;
        this.commits = commits;
        this.interval = interval;
        this.restartFrames = restartFrames;
        this.checkpointTimer = HistogramTimer.of(metrics, METRIC_CHECKPOINT);
        this.catchUpTimer = HistogramTimer.of(metrics, METRIC_CATCH_UP);
        this.failed = metrics.counter(METRIC_FAILED);
        metrics.gauge("locations.checkpoint.wal-frames", () -> lastLogFrames::get);
    }

    /** Frames in the log after the last pass (0 before the first). */
    public long walFrames() {
        return lastLogFrames.get();
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::run, "wal-checkpointer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
        try {
            checkpoint(); // what the drained writer committed last; closing the pool checkpoints too
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("last WAL checkpoint failed: {}", DatabaseErrors.describe(e));
        }
    }

    private void run() {
        while (running) {
            try {
                TimeUnit.MILLISECONDS.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            try {
                checkpoint();
            } catch (RuntimeException e) {
                failed.inc();
                LOG.warn("WAL checkpoint failed (retried in {}): {}", interval, DatabaseErrors.describe(e));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * One pass, and when the log has {@code restartFrames} frames or more, a second one with the location writer held
     * between two commits: SQLite starts the log over when a transaction begins with every frame copied, and under
     * sustained writes the writer's next transaction has always begun before a pass ends. Answers the log's frames.
     */
    long checkpoint() throws InterruptedException {
        Pass pass;
        try (Timer.Context ignored = checkpointTimer.time()) {
            pass = passive();
        }
        if (pass.logFrames() >= restartFrames) {
            commits.lockInterruptibly(); // waits for the writer's commit under way, if any
            try (Timer.Context ignored = catchUpTimer.time()) {
                pass = passive();
            } finally {
                commits.unlock();
            }
        }
        lastLogFrames.set(Math.max(0, pass.logFrames()));
        return pass.logFrames();
    }

    private Pass passive() {
        return jdbi.withHandle((Handle h) -> h.createQuery("PRAGMA wal_checkpoint(PASSIVE)")
                .map((rs, ctx) -> new Pass(rs.getInt(1) != 0, rs.getLong(2), rs.getLong(3)))
                .one());
    }
}
