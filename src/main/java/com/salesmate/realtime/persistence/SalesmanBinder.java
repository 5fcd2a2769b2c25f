package com.salesmate.realtime.persistence;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import io.dropwizard.lifecycle.Managed;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Group commit of salesmen's first tenant bindings ({@link SalesmanTenants}): a bounded queue drained by one thread,
 * many salesmen per transaction — a claim each (insert unless bound), then their owners read back in the same
 * transaction. A future completes with the owner only after the commit, so a binding answered is durable and shared
 * with the cluster's other nodes. Nothing waits for a batch to fill: the thread takes what is queued, commits and
 * repeats, so a lone bind costs one transaction as before, and a burst costs a few.
 *
 * <p>Two claims of one salesman in a batch (two phones in two tenants) get the same owner: the first claim queued.
 * Claims go in salesman-id order, so two nodes' batches on PostgreSQL lock their rows in the same order. A failed
 * batch completes each of its futures exceptionally with the database's exception; the futures of a committed batch complete on
 * a thread of their own ({@code salesman-binding-acks}), so that what continues from them (the CONNECT answers) does
 * not hold up the next transaction — on the binding thread itself when that one is {@value #COMPLETION_BACKLOG}
 * batches behind. Stopping commits what was accepted, within the drain timeout.
 */
public final class SalesmanBinder implements Managed {
    public static final String METRIC_BATCH_SIZE = "salesmen.bindings.batch-size";
    public static final String METRIC_QUEUE_DEPTH = "salesmen.bindings.queue-depth";
    public static final String METRIC_FAILED_BATCHES = "salesmen.bindings.failed-batches";
    /** Salesmen per transaction at most; also bounds the statement's IN list. */
    public static final int MAX_BATCH = 500;

    private static final Logger LOG = LoggerFactory.getLogger(SalesmanBinder.class);
    private static final int COMPLETION_BACKLOG = 64;

    private record Pending(String tenantId, String salesmanId, CompletableFuture<String> owner) {
    }

    /** {@code SalesmanDao.claim} for a batch: a salesman id already bound keeps its tenant. */
    private static final String CLAIM = "INSERT INTO salesmen (salesman_id, tenant_id, first_seen, last_seen) "
            + "VALUES (?, ?, ?, ?) ON CONFLICT (salesman_id) DO NOTHING";

    private final Jdbi jdbi;
    private final Clock clock;
    private final BlockingQueue<Pending> queue;
    private final int maxBatch;
    private final Duration drainTimeout;
    private final Histogram batchSizes;
    private final Counter failedBatches;
    private volatile boolean accepting;
    private boolean stopped;
    private Thread thread;
    private ThreadPoolExecutor acks;

    public SalesmanBinder(Jdbi jdbi, Clock clock, int queueCapacity, int maxBatch, Duration drainTimeout,
                          MetricRegistry metrics) {
        if (maxBatch < 1 || maxBatch > 999) { // the batch is also the read-back's IN list: SQLite's old parameter cap
            throw new IllegalArgumentException("maxBatch must be 1 to 999, not " + maxBatch);
        }
        this.jdbi = jdbi;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxBatch = maxBatch;
        this.drainTimeout = drainTimeout;
        this.batchSizes = metrics.histogram(METRIC_BATCH_SIZE);
        this.failedBatches = metrics.counter(METRIC_FAILED_BATCHES);
        metrics.register(METRIC_QUEUE_DEPTH, (Gauge<Integer>) queue::size);
    }

    /**
     * Queues a claim of {@code salesmanId} for {@code tenantId}: the future completes with the tenant it belongs to
     * once committed (the claimant's, or the one that claimed it first). Empty when the queue is full or the binder
     * is stopping: nothing was queued.
     */
    public Optional<CompletableFuture<String>> offer(String tenantId, String salesmanId) {
        CompletableFuture<String> owner = new CompletableFuture<>();
        synchronized (queue) { // against stop(): one past the accepting check has queued before the drainer sees false
            if (!accepting || !queue.offer(new Pending(tenantId, salesmanId, owner))) {
                return Optional.empty();
            }
        }
        return Optional.of(owner);
    }

    @Override
    public void start() {
        accepting = true;
        acks = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(COMPLETION_BACKLOG), r -> new Thread(r, "salesman-binding-acks"),
                (completion, full) -> completion.run()); // backlog full (or stopped): answered here, never dropped
        thread = new Thread(this::run, "salesman-binder");
        thread.start();
    }

    @Override
    public void stop() throws InterruptedException {
        synchronized (queue) {
            if (stopped) {
                return;
            }
            stopped = true;
            accepting = false;
        }
        int left = queue.size();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        thread.join(drainTimeout.toMillis());
        if (thread.isAlive()) {
            thread.interrupt(); // it fails what is left and ends
            LOG.error("salesman bindings not drained within {}: {} still queued", drainTimeout, queue.size());
            thread.join(1_000);
        } else if (left > 0) {
            LOG.info("salesman binder committed {} queued bindings on stop", left);
        }
        acks.shutdown(); // after the binding thread: it hands over no more completions
        if (!acks.awaitTermination(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
                TimeUnit.MILLISECONDS)) {
            LOG.error("salesman binding answers were still being completed after {}", drainTimeout);
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (accepting || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS); // the timeout only looks at accepting again
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failAll(batch, unavailable("interrupted"));
                List<Pending> left = new ArrayList<>();
                queue.drainTo(left);
                failAll(left, unavailable("interrupted")); // answered rather than left waiting
                return;
            } catch (RuntimeException e) {
                LOG.error("salesman binder loop failed", e);
                failAll(batch, unavailable("binding failed"));
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        batchSizes.update(batch.size());
        long now = clock.millis();
        // the first claim of each salesman id, in id order (one lock order for every node's batches)
        Map<String, SalesmanRow> claims = new TreeMap<>();
        for (Pending p : batch) {
            claims.putIfAbsent(p.salesmanId(), new SalesmanRow(p.salesmanId(), p.tenantId(), now, now));
        }
        Map<String, String> owners = new HashMap<>();
        try {
            jdbi.useTransaction(handle -> {
                try {
                    claimAndRead(handle.getConnection(), claims.values(), owners);
                } catch (SQLException e) { // as Jdbi reports a failed statement (rolled back; a database failure)
                    throw new UnableToExecuteStatementException(e, null);
                }
            });
        } catch (RuntimeException e) {
            failedBatches.inc();
            LOG.warn("salesman binding batch of {} not committed: {}", batch.size(), DatabaseErrors.describe(e));
            failAll(batch, e); // what a bind in a transaction of its own throws: callers handle it as before
            return;
        }
        List<Pending> done = List.copyOf(batch);
        acks.execute(() -> {
            for (Pending p : done) {
                String owner = owners.get(p.salesmanId());
                if (owner == null) { // not expected: claimed or bound in this very transaction
                    p.owner().completeExceptionally(new IllegalStateException("binding not read back"));
                } else {
                    p.owner().complete(owner);
                }
            }
        });
    }

    /**
     * Claims each salesman id for its tenant unless bound already (the first claim of an id in the batch winning) and
     * reads every id's owner back, in the caller's transaction. Plain JDBC on Jdbi's connection: the batch is the one
     * hot statement pair of a connect wave, and a profile of warm connects had 38% of the JVM's samples in this thread,
     * most in Jdbi's per-call work (the SQL object's configuration copies, reflection over the rows, and the template
     * engine lexing the {@code IN (<ids>)} list again for every batch), not in the database.
     */
    private static void claimAndRead(Connection connection, Collection<SalesmanRow> claims, Map<String, String> owners)
            throws SQLException {
        try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            for (SalesmanRow row : claims) {
                claim.setString(1, row.salesmanId());
                claim.setString(2, row.tenantId());
                claim.setLong(3, row.firstSeen());
                claim.setLong(4, row.lastSeen());
                claim.addBatch();
            }
            claim.executeBatch();
        }
        try (PreparedStatement find = connection.prepareStatement(
                "SELECT salesman_id, tenant_id FROM salesmen WHERE salesman_id IN ("
                        + String.join(",", Collections.nCopies(claims.size(), "?")) + ")")) {
            int i = 1;
            for (SalesmanRow row : claims) {
                find.setString(i++, row.salesmanId());
            }
            try (ResultSet rows = find.executeQuery()) {
                while (rows.next()) {
                    owners.put(rows.getString(1), rows.getString(2));
                }
            }
        }
    }

    private static ApiException unavailable(String why) {
        return new ApiException(ErrorCode.UNAVAILABLE, "salesman not bound: " + why);
    }

    private static void failAll(List<Pending> batch, RuntimeException failure) {
        for (Pending p : batch) {
            p.owner().completeExceptionally(failure);
        }
    }
}
