package com.salesmate.realtime.persistence;

import com.codahale.metrics.MetricRegistry;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.support.Postgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static com.salesmate.realtime.persistence.DaoContract.location;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The writer on a throwaway PostgreSQL database that is taken away mid-stream (connections refused and the pooled
 * ones terminated) and given back: refusals meanwhile, never a success for an unstored row, recovery without a
 * restart.
 */
@Timeout(120)
class PostgresOutageTest {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();

    /** One submission of the stream and what became of it. */
    private record Sent(LocationRow row, CompletableFuture<LocationWriter.Stored> result, long sentAt, AtomicLong doneAt) {
        Sent(LocationRow row, CompletableFuture<LocationWriter.Stored> result, long sentAt) {
            this(row, result, sentAt, new AtomicLong(Long.MAX_VALUE));
            result.whenComplete((ok, e) -> doneAt.set(System.nanoTime()));
        }

        /** Answered before {@code nanos}. */
        boolean doneBefore(long nanos) {
            return doneAt.get() < nanos;
        }
    }

    private TestDatabase db;
    private LocationWriter writer;
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final AtomicLong refusedAtSubmit = new AtomicLong();
    private final AtomicBoolean streaming = new AtomicBoolean(true);
    private Thread stream;

    @BeforeEach
    void startWriter() throws Exception {
        db = TestDatabase.open(PG.url());
        db.clear();
        writer = new LocationWriter(db.jdbi, 10_000, 200, Duration.ofSeconds(30), new MetricRegistry());
        writer.start();
    }

    /** Submits a point every 2 ms from a thread of its own, recording each future. */
    private void startStream() {
        stream = new Thread(() -> {
            for (long t = 1; streaming.get(); t++) {
                LocationRow row = location("tenant-a", "s" + t % 4, t);
                try {
                    sent.add(new Sent(row, writer.submit(row), System.nanoTime()));
                } catch (ApiException e) { // queue full: refused at once, never queued
                    refusedAtSubmit.incrementAndGet();
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // a steady stream, not a flood
            }
        }, "outage-stream");
        stream.start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        streaming.set(false);
        if (stream != null) {
            stream.join(10_000);
        }
        PG.allowConnections(true);
        writer.stop();
        db.close();
    }

    private long succeeded() {
        return sent.stream().filter(s -> s.result().isDone() && !s.result().isCompletedExceptionally()).count();
    }

    @Test
    void writesAreRefusedAsUnavailableDuringOutageAndSucceedAgainAfterwards() throws Exception {
        startStream();
        await().atMost(Duration.ofSeconds(20)).until(() -> succeeded() >= 100);
        assertThat(writer.isCommitting()).isTrue();
        assertThat(db.health().isHealthy()).isTrue();

        // take the database away mid-stream
        PG.allowConnections(false);
        long outageStarted = System.nanoTime();
        await().atMost(Duration.ofSeconds(20)).until(() -> !writer.isCommitting());
        // rows sent well after the cut (a terminated backend may still finish the commit it was in)
        long settled = outageStarted + TimeUnit.MILLISECONDS.toNanos(500);
        await().atMost(Duration.ofSeconds(20)).until(() -> sent.stream()
                .filter(s -> s.sentAt() > settled && s.result().isCompletedExceptionally()).count() >= 30);
        assertThat(db.health().isHealthy()).as("database health check during the outage").isFalse();
        long outageEnded = System.nanoTime();

        // give it back: the same writer and pool recover by themselves
        PG.allowConnections(true);
        long restored = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> sent.stream().filter(s -> s.sentAt() > restored
                && s.result().isDone() && !s.result().isCompletedExceptionally()).count() >= 50);
        assertThat(writer.isCommitting()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> db.health().isHealthy());

        streaming.set(false);
        stream.join(10_000);
        for (Sent s : sent) {
            s.result().handle((ok, e) -> null).get(30, TimeUnit.SECONDS);
        }

        Map<String, Long> stored = storedIds();
        long succeeded = 0;
        long failed = 0;
        long failedButStored = 0;
        for (Sent s : sent) {
            String key = s.row().salesmanId() + "@" + s.row().recordedAt();
            try {
                LocationWriter.Stored ok = s.result().get();
                succeeded++;
                assertThat(stored.get(key)).as("a success was given for %s, so it is stored", key)
                        .isEqualTo(ok.row().id());
            } catch (ExecutionException e) {
                failed++;
                assertThat(e.getCause()).isInstanceOfSatisfying(ApiException.class,
                        a -> assertThat(a.code()).isEqualTo(ErrorCode.UNAVAILABLE));
                if (stored.containsKey(key)) {
                    failedButStored++; // committed, but the commit's answer was lost with the connection
                }
                if (s.sentAt() > settled && s.sentAt() < outageEnded) {
                    assertThat(stored).as("sent while the database was unreachable").doesNotContainKey(key);
                }
            }
        }
        // answered while the database was unreachable: refused, every one (a batch the writer was still trying to
        // connect for when the database came back may commit, and then rightly succeeds)
        assertThat(sent.stream().filter(s -> s.sentAt() > settled && s.doneBefore(outageEnded)))
                .as("everything answered while the database was unreachable").hasSizeGreaterThanOrEqualTo(30)
                .allMatch(s -> s.result().isCompletedExceptionally());
        assertThat(succeeded).isGreaterThanOrEqualTo(150);
        assertThat(failed).isPositive();
        assertThat(stored).hasSize((int) (succeeded + failedButStored));
        System.out.printf("outage stream: %d sent, %d stored and acknowledged, %d refused (%d of them stored anyway),"
                + " %d refused at submit%n", sent.size(), succeeded, failed, failedButStored, refusedAtSubmit.get());
    }

    @Test
    void connectionsCutWhileTheDatabaseStaysUpCostNoRefusal() throws Exception {
        // several pooled connections, as under load; then they are all cut (a restart, a failover, a proxy timeout)
        List<org.jdbi.v3.core.Handle> handles = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            handles.add(db.jdbi.open());
            handles.get(i).execute("SELECT 1");
        }
        handles.forEach(org.jdbi.v3.core.Handle::close);
        assertThat(writer.submit(location("tenant-a", "s1", 1)).get(10, TimeUnit.SECONDS).duplicate()).isFalse();
        assertThat(PG.terminateConnections()).isGreaterThanOrEqualTo(5);

        for (int i = 0; i < 10; i++) {
            LocationRow row = location("tenant-a", "s1", 100 + i);
            assertThat(writer.submit(row).get(10, TimeUnit.SECONDS).row()).as("write %d after the cut", i)
                    .isEqualTo(row);
        }
        assertThat(writer.isCommitting()).isTrue();
        assertThat(storedIds()).hasSize(11);
    }

    /** (salesman@timestamp) to id of every stored row, read over a connection of its own. */
    private static Map<String, Long> storedIds() throws Exception {
        Map<String, Long> ids = new HashMap<>();
        try (Connection c = PG.connection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT salesman_id, recorded_at, id FROM locations")) {
            while (r.next()) {
                ids.put(r.getString(1) + "@" + r.getLong(2), r.getLong(3));
            }
        }
        return ids;
    }
}
