package com.salesmate.realtime.persistence;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static com.salesmate.realtime.persistence.DaoContract.location;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The group-commit writer against a real database, written once and run by one subclass per engine. Where a test
 * needs rows to stay queued it blocks the writer's first batch with an open transaction holding the same
 * (salesman, timestamp) key: PostgreSQL makes the conflicting insert wait for it, SQLite makes every other writer
 * wait for the lock.
 */
@Timeout(60)
abstract class LocationWriterContract extends DatabaseContract {
    private static final String T = "tenant-a";

    private final List<LocationWriter> writers = new ArrayList<>();
    private MetricRegistry metrics;

    @BeforeEach
    void freshMetrics() {
        metrics = new MetricRegistry();
    }

    @AfterEach
    void stopWriters() throws Exception {
        for (LocationWriter w : writers) {
            w.stop();
        }
        writers.clear();
    }

    private LocationWriter startedWriter(int queueCapacity, int maxBatch) throws Exception {
        LocationWriter w = new LocationWriter(db().jdbi, queueCapacity, maxBatch, Duration.ofSeconds(30), metrics);
        writers.add(w);
        w.start();
        return w;
    }

    private LocationDao locations() throws Exception {
        return db().jdbi.onDemand(LocationDao.class);
    }

    private static LocationWriter.Stored stored(CompletableFuture<LocationWriter.Stored> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static void assertUnavailable(Runnable submit) {
        assertThatThrownBy(submit::run).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }

    /** An open transaction holding (blocker, 1): the writer's batch containing that key waits until release. */
    private final class Blocker implements AutoCloseable {
        final LocationRow key = location(T, "blocker", 1);
        private final Handle handle;

        Blocker() throws Exception {
            handle = db().jdbi.open();
            handle.begin();
            handle.attach(LocationDao.class).insertAll(List.of(location(T, "blocker", 1)));
        }

        /** Blocks the writer: submits the conflicting key and waits until the writer is inside its write. */
        CompletableFuture<LocationWriter.Stored> stall(LocationWriter writer) {
            CompletableFuture<LocationWriter.Stored> f = writer.submit(key);
            await().atMost(Duration.ofSeconds(10)).until(LocationWriterContract::writerIsWriting);
            return f;
        }

        @Override
        public void close() {
            if (handle.isInTransaction()) {
                handle.rollback();
            }
            handle.close();
        }
    }

    /** True when a writer thread is past taking its batch from the queue and is writing it. */
    private static boolean writerIsWriting() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals("location-writer") && e.getKey().isAlive())
                .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(f ->
                        f.getClassName().equals(LocationWriter.class.getName()) && f.getMethodName().equals("write")));
    }

    @Test
    void eachFutureCompletesOnlyOnceItsRowIsReadable() throws Exception {
        LocationWriter writer = startedWriter(1000, 50);
        LocationDao reader = locations();
        List<CompletableFuture<Boolean>> readableAtCompletion = new ArrayList<>();
        List<CompletableFuture<LocationWriter.Stored>> futures = new ArrayList<>();
        List<LocationRow> rows = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            LocationRow row = location(T, "s" + i % 3, 10_000 + i);
            rows.add(row);
            CompletableFuture<LocationWriter.Stored> f = writer.submit(row);
            futures.add(f);
            // runs in the completing thread the moment the future completes (or here if it already has)
            readableAtCompletion.add(f.thenApply(s -> reader.find(row.salesmanId(), row.recordedAt()).isPresent()));
        }

        for (int i = 0; i < rows.size(); i++) {
            LocationWriter.Stored stored = stored(futures.get(i));
            assertThat(stored.duplicate()).isFalse();
            assertThat(stored.row()).isEqualTo(rows.get(i));
            assertThat(readableAtCompletion.get(i).get(20, TimeUnit.SECONDS)).as("row %d readable", i).isTrue();
        }
        assertThat(reader.count()).isEqualTo(120);
        assertThat(writer.written()).isEqualTo(120);
    }

    @Test
    void concurrentSubmittersHaveEveryRowStoredOnceInMultiRowBatches() throws Exception {
        LocationWriter writer = startedWriter(20_000, 500);
        int threads = 8;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Map<LocationRow, CompletableFuture<LocationWriter.Stored>>>> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String salesman = "s" + t;
            submitters.add(pool.submit(() -> {
                go.await();
                Map<LocationRow, CompletableFuture<LocationWriter.Stored>> mine = new java.util.LinkedHashMap<>();
                for (int i = 0; i < perThread; i++) {
                    LocationRow row = location(T, salesman, 1_000 + i);
                    mine.put(row, writer.submit(row));
                }
                return mine;
            }));
        }
        go.countDown();
        List<Long> ids = new ArrayList<>();
        for (var s : submitters) {
            for (var e : s.get(30, TimeUnit.SECONDS).entrySet()) {
                LocationWriter.Stored stored = stored(e.getValue());
                assertThat(stored.duplicate()).isFalse();
                assertThat(stored.row().id()).isEqualTo(e.getKey().id());
                ids.add(stored.row().id());
            }
        }
        pool.shutdown();

        assertThat(ids).hasSize(threads * perThread).doesNotHaveDuplicates();
        assertThat(locations().count()).isEqualTo(threads * perThread);
        for (int t = 0; t < threads; t++) {
            assertThat(locations().trail(T, "s" + t, 0, Long.MAX_VALUE, 10_000)).hasSize(perThread);
        }
        Snapshot batches = metrics.histogram(LocationWriter.METRIC_BATCH_SIZE).getSnapshot();
        assertThat(batches.getMax()).as("largest batch").isGreaterThan(1);
        assertThat(metrics.histogram(LocationWriter.METRIC_BATCH_SIZE).getCount())
                .as("transactions").isLessThan(threads * perThread);
    }

    @Test
    void duplicateGetsTheFirstRowAndDuplicateTrue() throws Exception {
        LocationWriter writer = startedWriter(100, 50);
        LocationRow first = location(T, "s1", 5_000);
        LocationRow retry = location(T, "s1", 5_000);

        assertThat(stored(writer.submit(first))).isEqualTo(new LocationWriter.Stored(first, false));
        LocationWriter.Stored again = stored(writer.submit(retry));
        assertThat(again.duplicate()).isTrue();
        assertThat(again.row().id()).isEqualTo(first.id());

        LocationRow a = location(T, "s1", 6_000);
        LocationRow aRetry = location(T, "s1", 6_000);
        List<CompletableFuture<LocationWriter.Stored>> sameCall = writer.submitAll(List.of(a, aRetry));
        assertThat(stored(sameCall.get(0))).isEqualTo(new LocationWriter.Stored(a, false));
        assertThat(stored(sameCall.get(1))).isEqualTo(new LocationWriter.Stored(a, true));

        assertThat(locations().count()).isEqualTo(2);
        assertThat(writer.written()).isEqualTo(2);
    }

    @Test
    void fullQueueRefusesTheWholeCallAtOnceAndStoresNoneOfIt() throws Exception {
        LocationWriter writer = startedWriter(3, 500);
        List<CompletableFuture<LocationWriter.Stored>> accepted = new ArrayList<>();
        List<LocationRow> refused = List.of(location(T, "s1", 3_000), location(T, "s1", 4_000),
                location(T, "s1", 6_000));
        try (Blocker blocker = new Blocker()) {
            accepted.add(blocker.stall(writer));
            accepted.addAll(writer.submitAll(List.of(location(T, "s1", 1_000), location(T, "s1", 2_000))));
            assertThat(writer.queueDepth()).isEqualTo(2);

            long start = System.nanoTime();
            assertUnavailable(() -> writer.submitAll(refused.subList(0, 2))); // 2 rows, 1 place left
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
            assertThat(writer.queueDepth()).as("nothing of the refused call queued").isEqualTo(2);

            accepted.add(writer.submit(location(T, "s1", 5_000)));
            assertUnavailable(() -> writer.submit(refused.get(2)));
            assertThat(accepted).noneMatch(CompletableFuture::isDone);
        }
        for (CompletableFuture<LocationWriter.Stored> f : accepted) {
            assertThat(stored(f).duplicate()).isFalse();
        }
        assertThat(locations().count()).isEqualTo(4);
        for (LocationRow row : refused) {
            assertThat(locations().find(row.salesmanId(), row.recordedAt())).isEmpty();
        }
    }

    @Test
    void stopDrainsEveryAcceptedRowBeforeReturningAndRefusesNewOnes() throws Exception {
        LocationWriter writer = startedWriter(10_000, 100);
        List<LocationRow> rows = new ArrayList<>();
        List<CompletableFuture<LocationWriter.Stored>> futures = new ArrayList<>();
        CompletableFuture<Void> stopped;
        try (Blocker blocker = new Blocker()) {
            rows.add(blocker.key);
            futures.add(blocker.stall(writer));
            for (int i = 0; i < 1000; i++) {
                LocationRow row = location(T, "s" + i % 10, 1_000 + i);
                rows.add(row);
                futures.add(writer.submit(row));
            }
            assertThat(writer.queueDepth()).isEqualTo(1000);

            stopped = CompletableFuture.runAsync(() -> {
                try {
                    writer.stop();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            LocationRow late = location(T, "late", 1);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertUnavailable(() -> writer.submit(late)));
            assertThat(stopped).as("stop waits for the queued rows").isNotDone();
        }
        stopped.get(30, TimeUnit.SECONDS);

        assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(locations().count()).isEqualTo(rows.size());
        assertThat(locations().find("late", 1)).isEmpty();
        assertUnavailable(() -> writer.submitAll(List.of(location(T, "late", 2))));
        assertThat(locations().find("late", 2)).isEmpty();
    }

    @Test
    void stopThatRunsOutOfTimeStillAnswersEveryQueuedRow() throws Exception {
        LocationWriter writer = new LocationWriter(db().jdbi, 100, 1, Duration.ofMillis(200), metrics);
        writer.start();
        List<LocationRow> rows = new ArrayList<>();
        List<CompletableFuture<LocationWriter.Stored>> futures = new ArrayList<>();
        try (Blocker blocker = new Blocker()) {
            futures.add(blocker.stall(writer));
            rows.add(blocker.key);
            for (int i = 0; i < 20; i++) {
                LocationRow row = location(T, "s1", 1_000 + i);
                rows.add(row);
                futures.add(writer.submit(row));
            }
            writer.stop(); // gives up after 200 ms: the writer is stuck behind the blocker
        }
        CompletableFuture.allOf(futures.stream().map(f -> f.handle((ok, e) -> null))
                .toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        for (int i = 0; i < rows.size(); i++) {
            LocationRow row = rows.get(i);
            if (futures.get(i).isCompletedExceptionally()) {
                assertThatThrownBy(futures.get(i)::join).cause().isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
                assertThat(locations().find(row.salesmanId(), row.recordedAt())).isEmpty();
            } else {
                assertThat(locations().find(row.salesmanId(), row.recordedAt())).contains(row);
            }
        }
    }

    @Test
    void everyRowAcceptedWhileStoppingIsStored() throws Exception {
        LocationWriter writer = startedWriter(1_000, 200);
        int threads = 2;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicBoolean refusedSeen = new AtomicBoolean();
        List<Future<List<CompletableFuture<LocationWriter.Stored>>>> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String salesman = "s" + t;
            submitters.add(pool.submit(() -> {
                List<CompletableFuture<LocationWriter.Stored>> mine = new ArrayList<>();
                for (int i = 0; ; i++) {
                    try {
                        mine.add(writer.submit(location(T, salesman, 1_000 + i)));
                    } catch (ApiException e) {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        if (!stopping.get()) {
                            i--; // queue full: retry the same point shortly
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                            continue;
                        }
                        refusedSeen.set(true);
                        return mine;
                    }
                }
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> writer.written() > 200);
        stopping.set(true);
        writer.stop();

        List<CompletableFuture<LocationWriter.Stored>> accepted = new ArrayList<>();
        for (var s : submitters) {
            accepted.addAll(s.get(10, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertThat(refusedSeen).isTrue();
        assertThat(accepted).hasSizeGreaterThan(200).allMatch(CompletableFuture::isDone);
        List<LocationWriter.Stored> stored = new ArrayList<>();
        for (CompletableFuture<LocationWriter.Stored> f : accepted) {
            stored.add(f.get());
        }
        assertThat(stored).noneMatch(LocationWriter.Stored::duplicate);
        assertThat(locations().count()).isEqualTo(accepted.size());
    }

    @Test
    void submitBeforeStartIsRefused() throws Exception {
        LocationWriter writer = new LocationWriter(db().jdbi, 10, 10, Duration.ofSeconds(5), metrics);
        assertUnavailable(() -> writer.submit(location(T, "s1", 1)));
        assertThat(writer.queueDepth()).isZero();
    }
}
