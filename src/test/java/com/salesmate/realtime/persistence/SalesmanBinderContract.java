package com.salesmate.realtime.persistence;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.salesmate.realtime.core.ApiException;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The group commit of salesmen's first bindings against a real database, one subclass per engine. Where a test needs
 * claims to stay queued it holds the binder's first batch with an open transaction that has inserted the same
 * salesman id: PostgreSQL makes the conflicting insert wait for it, SQLite makes every other writer wait for its lock.
 */
@Timeout(60)
abstract class SalesmanBinderContract extends DatabaseContract {
    private static final String A = "tenant-a";
    private static final String B = "tenant-b";

    private final List<SalesmanBinder> binders = new ArrayList<>();
    private MetricRegistry metrics;

    @BeforeEach
    void freshMetrics() {
        metrics = new MetricRegistry();
    }

    @AfterEach
    void stopBinders() throws Exception {
        for (SalesmanBinder b : binders) {
            b.stop();
        }
        binders.clear();
    }

    private SalesmanBinder startedBinder(int queueCapacity) throws Exception {
        SalesmanBinder b = new SalesmanBinder(db().jdbi, Clock.systemUTC(), queueCapacity, SalesmanBinder.MAX_BATCH,
                Duration.ofSeconds(30), metrics);
        binders.add(b);
        b.start();
        return b;
    }

    private static CompletableFuture<String> queued(Optional<CompletableFuture<String>> offered) {
        assertThat(offered).as("queued").isPresent();
        return offered.get();
    }

    private static String owner(CompletableFuture<String> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private Optional<String> stored(String salesmanId) throws Exception {
        return db().jdbi.withExtension(SalesmanDao.class, dao -> dao.find(salesmanId)).map(SalesmanRow::tenantId);
    }

    /** An open transaction that has bound "blocker" to tenant B: the binder's batch claiming it waits for it. */
    private final class Blocker implements AutoCloseable {
        private final Handle handle;

        Blocker() throws Exception {
            handle = db().jdbi.open();
            handle.begin();
            handle.attach(SalesmanDao.class).claim(B, "blocker", 1);
        }

        /** Queues a claim of "blocker" for A and waits until the binder is inside its transaction with it. */
        CompletableFuture<String> stall(SalesmanBinder binder) {
            CompletableFuture<String> f = queued(binder.offer(A, "blocker"));
            await().atMost(Duration.ofSeconds(10)).until(SalesmanBinderContract::binderIsWriting);
            return f;
        }

        void commit() {
            handle.commit();
        }

        @Override
        public void close() {
            if (handle.isInTransaction()) {
                handle.rollback();
            }
            handle.close();
        }
    }

    private static boolean binderIsWriting() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals("salesman-binder") && e.getKey().isAlive())
                .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(f ->
                        f.getClassName().equals(SalesmanBinder.class.getName()) && f.getMethodName().equals("write")));
    }

    @Test
    void aLoneClaimIsCommittedAtOnceAndReadableWhenAnswered() throws Exception {
        SalesmanBinder binder = startedBinder(100);
        CompletableFuture<String> f = queued(binder.offer(A, "s1"));
        // runs on the completing thread the moment the future completes: the binding is committed by then
        CompletableFuture<Optional<String>> readable = f.thenApply(owner -> {
            try {
                return stored("s1");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(owner(f)).isEqualTo(A);
        assertThat(readable.get(20, TimeUnit.SECONDS)).contains(A);
        assertThat(metrics.histogram(SalesmanBinder.METRIC_BATCH_SIZE).getCount()).isEqualTo(1);

        // bound once: a later claim in another tenant is answered with the first owner, and changes nothing
        assertThat(owner(queued(binder.offer(B, "s1")))).isEqualTo(A);
        assertThat(stored("s1")).contains(A);
    }

    @Test
    void aBurstOfConcurrentClaimsIsCommittedInBatchesEachAnsweredWithItsOwner() throws Exception {
        SalesmanBinder binder = startedBinder(2_000);
        int threads = 8;
        int perThread = 25; // 200 binds
        List<Future<List<CompletableFuture<String>>>> submitters = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CompletableFuture<String> blocked;
        try (Blocker blocker = new Blocker()) {
            blocked = blocker.stall(binder); // the first transaction waits: the burst queues up behind it
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                String tenant = t % 2 == 0 ? A : B;
                int thread = t;
                submitters.add(pool.submit(() -> {
                    go.await();
                    List<CompletableFuture<String>> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(queued(binder.offer(tenant, "burst-" + thread + "-" + i)));
                    }
                    return mine;
                }));
            }
            go.countDown();
            for (var s : submitters) {
                s.get(20, TimeUnit.SECONDS); // all 200 queued while the first batch waits
            }
            assertThat(blocked).isNotDone();
        } // rolled back: "blocker" is free, the waiting batch binds it to A
        pool.shutdown();

        assertThat(owner(blocked)).isEqualTo(A);
        for (int t = 0; t < threads; t++) {
            List<CompletableFuture<String>> mine = submitters.get(t).get();
            for (int i = 0; i < perThread; i++) {
                String expected = t % 2 == 0 ? A : B;
                assertThat(owner(mine.get(i))).as("burst-%d-%d", t, i).isEqualTo(expected);
                assertThat(stored("burst-" + t + "-" + i)).contains(expected);
            }
        }
        Snapshot batches = metrics.histogram(SalesmanBinder.METRIC_BATCH_SIZE).getSnapshot();
        long transactions = metrics.histogram(SalesmanBinder.METRIC_BATCH_SIZE).getCount();
        System.out.printf("[binder] 201 claims in %d transactions, largest %d%n", transactions, batches.getMax());
        assertThat(batches.getMax()).as("largest batch").isGreaterThan(1);
        assertThat(transactions).as("transactions for 201 claims").isLessThan(201);
    }

    @Test
    void twoTenantsClaimingOneSalesmanInOneBatchBothGetTheFirstClaimant() throws Exception {
        SalesmanBinder binder = startedBinder(100);
        CompletableFuture<String> first;
        CompletableFuture<String> second;
        CompletableFuture<String> boundBefore;
        try (Blocker blocker = new Blocker()) {
            CompletableFuture<String> blocked = blocker.stall(binder);
            first = queued(binder.offer(B, "two-phones"));
            second = queued(binder.offer(A, "two-phones"));
            boundBefore = queued(binder.offer(A, "blocker")); // committed by the blocker as B's before this batch
            blocker.commit();
            assertThat(owner(blocked)).as("the blocker's own commit won").isEqualTo(B);
        }
        assertThat(owner(first)).isEqualTo(B);
        assertThat(owner(second)).as("the second claim of the same batch").isEqualTo(B);
        assertThat(owner(boundBefore)).isEqualTo(B);
        assertThat(stored("two-phones")).contains(B);
        assertThat(metrics.histogram(SalesmanBinder.METRIC_BATCH_SIZE).getSnapshot().getMax())
                .as("the three were one batch").isEqualTo(3);
    }

    @Test
    void aFailedBatchFailsEachOfItsClaimsWithTheDatabasesErrorAndTheNextOneWorks() throws Exception {
        SalesmanBinder binder = startedBinder(100);
        assertThat(owner(queued(binder.offer(A, "before")))).isEqualTo(A);
        db().jdbi.useHandle(h -> h.execute("ALTER TABLE salesmen RENAME TO salesmen_away"));
        try {
            CompletableFuture<String> failed = queued(binder.offer(A, "during"));
            assertThatThrownBy(() -> failed.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(RuntimeException.class).isNotInstanceOf(ApiException.class);
            assertThat(metrics.counter(SalesmanBinder.METRIC_FAILED_BATCHES).getCount()).isEqualTo(1);
        } finally {
            db().jdbi.useHandle(h -> h.execute("ALTER TABLE salesmen_away RENAME TO salesmen"));
        }
        assertThat(stored("during")).isEmpty();
        assertThat(owner(queued(binder.offer(B, "during")))).as("claimed again once the table is back").isEqualTo(B);
    }

    @Test
    void aFullQueueTakesNothingAndStopCommitsWhatWasQueued() throws Exception {
        SalesmanBinder binder = startedBinder(3);
        List<CompletableFuture<String>> queuedClaims = new ArrayList<>();
        Thread stopping;
        CompletableFuture<String> blocked;
        try (Blocker blocker = new Blocker()) {
            blocked = blocker.stall(binder); // taken from the queue: three places left
            for (int i = 0; i < 3; i++) {
                queuedClaims.add(queued(binder.offer(A, "queued-" + i)));
            }
            assertThat(binder.offer(A, "one-too-many")).as("full queue").isEmpty();
            assertThat(metrics.getGauges().get(SalesmanBinder.METRIC_QUEUE_DEPTH).getValue()).isEqualTo(3);

            stopping = new Thread(() -> {
                try {
                    binder.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            stopping.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> stopping.getState() == Thread.State.TIMED_WAITING);
            assertThat(stopping.isAlive()).as("stop waits for the queued claims").isTrue();
        }
        stopping.join(20_000);
        assertThat(stopping.isAlive()).isFalse();
        assertThat(blocked).isCompletedWithValue(A);
        for (int i = 0; i < 3; i++) {
            assertThat(queuedClaims.get(i)).isCompletedWithValue(A);
            assertThat(stored("queued-" + i)).contains(A);
        }
        assertThat(stored("one-too-many")).isEmpty();
        assertThat(binder.offer(A, "after-stop")).as("stopped").isEmpty();
    }
}
