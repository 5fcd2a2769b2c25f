package com.salesmate.realtime.persistence;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.metrics.HistogramTimer;
import io.dropwizard.lifecycle.Managed;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group-commit writer between socket handlers and the database: a bounded queue drained by one thread, many rows per
 * transaction. A future completes only after its row is committed; when the queue is full the caller is refused at
 * once ({@code unavailable}). Stopping drains every accepted row before returning.
 *
 * <p>The futures of a committed batch are completed on a thread of their own ({@code location-acks}), in commit
 * order, so that what waits on them (the ack to the client, the broadcast to managers) does not hold up the next
 * transaction; when that thread is {@value #COMPLETION_BACKLOG} batches behind, the writer waits for it.
 */
public class LocationWriter implements Managed {
    public static final String METRIC_QUEUE_DEPTH = "locations.writer.queue-depth";
    /** The depth at which the writer refuses new rows ({@code unavailable}): {@code locations.queueCapacity}. */
    public static final String METRIC_QUEUE_CAPACITY = "locations.writer.queue-capacity";
    public static final String METRIC_BATCH_SIZE = "locations.writer.batch-size";
    public static final String METRIC_COMMIT = "locations.writer.commit";
    /** Batches whose extension work (visit detection) failed and was rolled back; their locations were stored. */
    public static final String METRIC_EXTENSION_FAILURES = "locations.writer.extension-failures";
    public static final String METRIC_FAILED_BATCHES = "locations.writer.failed-batches";

    private static final Logger LOG = LoggerFactory.getLogger(LocationWriter.class);
    private static final int COMPLETION_BACKLOG = 64;
    private static final Runnable END = () -> { };

    /** The outcome of one write: the stored row (the first one for a duplicate) and whether it was there already. */
    public record Stored(LocationRow row, boolean duplicate) {
    }

    private record Pending(LocationRow row, CompletableFuture<Stored> result) {
    }

    /**
     * Work done in the transaction that stores a batch, on the rows it stored now (no duplicates), in the order they
     * were submitted: what depends on exactly the stored points (visits) is then never done twice nor lost. It runs in
     * a savepoint: when it throws, its own work is rolled back and the locations are stored all the same. It returns
     * what to run once the batch is acknowledged (on the acknowledging thread; null: nothing).
     */
    public interface Extension {
        Runnable stored(org.jdbi.v3.core.Handle handle, List<LocationRow> fresh);
    }

    private record Written(List<Stored> stored, Runnable after) {
    }

    private static final String SAVEPOINT = "extension";

    private final Jdbi jdbi;
    private final BlockingQueue<Pending> queue;
    private final int maxBatch;
    private final Duration drainTimeout;
    private final Histogram batchSizes;
    private final Timer commitTimer;
    private final com.codahale.metrics.Counter failedBatches;
    private final com.codahale.metrics.Counter extensionFailures;
    private final AtomicLong written = new AtomicLong();
    private volatile boolean accepting;
    private boolean stopped;
    private volatile boolean lastCommitFailed;
    private volatile String lastError;
    private Thread thread;
    private final BlockingQueue<Runnable> completions = new ArrayBlockingQueue<>(COMPLETION_BACKLOG);
    private Thread completer;
    private volatile Extension extension;
    /** Held by the writer around each transaction; fair, so that a checkpoint's catch-up waits one commit at most. */
    private final ReentrantLock commits = new ReentrantLock(true);

    public LocationWriter(Jdbi jdbi, int queueCapacity, int maxBatch, Duration drainTimeout, MetricRegistry metrics) {
        this.jdbi = jdbi;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxBatch = maxBatch;
        this.drainTimeout = drainTimeout;
        this.batchSizes = metrics.histogram(METRIC_BATCH_SIZE);
        this.commitTimer = HistogramTimer.of(metrics, METRIC_COMMIT);
        this.failedBatches = metrics.counter(METRIC_FAILED_BATCHES);
        this.extensionFailures = metrics.counter(METRIC_EXTENSION_FAILURES);
        metrics.register(METRIC_QUEUE_DEPTH, (Gauge<Integer>) queue::size);
        metrics.register(METRIC_QUEUE_CAPACITY, (Gauge<Integer>) () -> queueCapacity);
    }

    /** Queues rows as one unit: all are accepted or none (queue full or stopping gives {@code unavailable}). */
    public List<CompletableFuture<Stored>> submitAll(List<LocationRow> rows) {
        List<CompletableFuture<Stored>> results = new ArrayList<>(rows.size());
        synchronized (queue) { // all-or-nothing against other submitters; the drainer only takes away
            if (!accepting) {
                throw new ApiException(ErrorCode.UNAVAILABLE, "the service is shutting down; retry on another node");
            }
            if (queue.remainingCapacity() < rows.size()) {
                throw new ApiException(ErrorCode.UNAVAILABLE, "location queue is full; retry shortly");
            }
            for (LocationRow row : rows) {
                CompletableFuture<Stored> result = new CompletableFuture<>();
                queue.add(new Pending(row, result));
                results.add(result);
            }
        }
        return results;
    }

    /** Sets the work done with every batch's stored rows (before {@link #start()}). */
    public void extend(Extension extension) {
        this.extension = extension;
    }

    public CompletableFuture<Stored> submit(LocationRow row) {
        return submitAll(List.of(row)).get(0);
    }

    public int queueDepth() {
        return queue.size();
    }

    public int queueCapacity() {
        return queue.size() + queue.remainingCapacity();
    }

    /** True while the last commit attempt succeeded (or none was made). */
    public boolean isCommitting() {
        return !lastCommitFailed;
    }

    public String lastError() {
        return lastError;
    }

    public long written() {
        return written.get();
    }

    /** The lock the writer holds while it commits: whoever holds it keeps the writer's next commit waiting. */
    public Lock commits() {
        return commits;
    }

    @Override
    public void start() {
        accepting = true;
        completer = new Thread(this::complete, "location-acks");
        completer.start();
        thread = new Thread(this::run, "location-writer");
        thread.start();
    }

    @Override
    public void stop() throws InterruptedException {
        // under the submitters' lock: one past the accepting check has queued its rows before the drainer sees false
        synchronized (queue) {
            if (stopped) {
                return; // already drained (the socket server drains before it closes sockets)
            }
            stopped = true;
            accepting = false;
        }
        int left = queue.size();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        thread.join(drainTimeout.toMillis());
        if (thread.isAlive()) {
            thread.interrupt();
            LOG.error("location writer did not drain within {}: {} rows still queued", drainTimeout, queue.size());
        } else {
            LOG.info("location writer drained {} queued rows on stop; {} rows written since start", left, written.get());
        }
        thread.join(1_000); // interrupted, it answers what is left and ends
        // END goes after every batch the writer handed over: stop returns once all of them are answered
        long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        if (!completions.offer(END, remaining, TimeUnit.MILLISECONDS)) {
            completer.interrupt();
        }
        completer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (completer.isAlive()) {
            LOG.error("location acks were still being sent after {}", drainTimeout);
        }
    }

    private void complete() {
        while (true) {
            Runnable next;
            try {
                next = completions.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (next == END) {
                return;
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.error("completing a location batch failed", e);
            }
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (accepting || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failAll(batch, "interrupted");
                List<Pending> left = new ArrayList<>();
                queue.drainTo(left);
                failAll(left, "interrupted"); // answer the rest rather than leave them waiting forever
                return;
            } catch (RuntimeException e) {
                LOG.error("location writer loop failed", e);
                failAll(batch, "write failed");
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        batchSizes.update(batch.size());
        List<LocationRow> rows = batch.stream().map(Pending::row).toList();
        Written result;
        commits.lock();
        try (Timer.Context ignored = commitTimer.time()) {
            result = jdbi.inTransaction(handle -> {
                int[] inserted = LocationDao.insertAll(handle.getConnection(), rows); // no DAO attach per batch
                LocationDao dao = null;
                List<Stored> out = new ArrayList<>(rows.size());
                for (int i = 0; i < rows.size(); i++) {
                    LocationRow row = rows.get(i);
                    if (inserted[i] > 0) {
                        out.add(new Stored(row, false));
                    } else {
                        // 0: the conflict did nothing; SUCCESS_NO_INFO (-2, e.g. PostgreSQL's reWriteBatchedInserts)
                        // says nothing either way: the stored row tells, by its id (ours are unique)
                        if (dao == null) {
                            dao = handle.attach(LocationDao.class);
                        }
                        LocationRow first = dao.find(row.salesmanId(), row.recordedAt())
                                .orElseThrow(() -> new IllegalStateException("conflicting row vanished"));
                        boolean mine = first.id() == row.id();
                        out.add(new Stored(mine ? row : first, !mine));
                    }
                }
                return new Written(out, extended(handle, out));
            });
        } catch (RuntimeException e) {
            failedBatches.inc();
            lastCommitFailed = true;
            lastError = DatabaseErrors.describe(e);
            LOG.warn("location batch of {} not stored: {}", batch.size(), lastError);
            failAll(batch, "database unavailable");
            return;
        } finally {
            commits.unlock();
        }
        lastCommitFailed = false;
        lastError = null;
        List<Stored> stored = result.stored();
        written.addAndGet(stored.stream().filter(s -> !s.duplicate()).count());
        List<Pending> done = List.copyOf(batch);
        Runnable after = result.after();
        Runnable completion = () -> {
            for (int i = 0; i < done.size(); i++) {
                done.get(i).result().complete(stored.get(i));
            }
            if (after != null) {
                after.run();
            }
        };
        try {
            completions.put(completion);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            completion.run(); // stopping: answered here rather than never
        }
    }

    /** The extension's work on the rows stored now, in a savepoint of the batch's transaction. */
    private Runnable extended(org.jdbi.v3.core.Handle handle, List<Stored> out) {
        Extension e = extension;
        if (e == null) {
            return null;
        }
        List<LocationRow> fresh = out.stream().filter(st -> !st.duplicate()).map(Stored::row).toList();
        if (fresh.isEmpty()) {
            return null;
        }
        handle.savepoint(SAVEPOINT);
        try {
            Runnable after = e.stored(handle, fresh);
            handle.releaseSavepoint(SAVEPOINT);
            return after;
        } catch (RuntimeException failure) {
            handle.rollbackToSavepoint(SAVEPOINT);
            extensionFailures.inc();
            LOG.warn("work on a stored location batch was rolled back (the locations are stored): {}",
                    DatabaseErrors.describe(failure));
            return null;
        }
    }

    private static void failAll(List<Pending> batch, String why) {
        for (Pending p : batch) {
            p.result().completeExceptionally(new ApiException(ErrorCode.UNAVAILABLE, "location not stored: " + why));
        }
    }

    /** The failure without the statement text (it would carry coordinates): exception class and SQLState. */
}
