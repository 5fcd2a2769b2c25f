package com.salesmate.realtime.persistence;

import com.codahale.metrics.MetricRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static com.salesmate.realtime.persistence.DaoContract.location;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WAL checkpointed off the commit path: no pooled connection checkpoints in its commits, and under writes as
 * fast as the location writer commits them the log stays bounded only because {@link WalCheckpointer} runs (the same
 * load without it grows the log past the bound), with every row written.
 */
@Timeout(120)
class WalCheckpointerTest {
    private static final Duration LOAD = Duration.ofSeconds(4);
    /**
     * 96 MiB, about 24,000 frames (a 4 KiB page and a 24-byte header each): the catch-up threshold (4,000 frames) plus
     * one 50 ms interval and a pass of this load, which writes about 100 MB of log a second (several thousand
     * frames); without checkpoints it reaches hundreds of MB.
     */
    private static final long BOUND_BYTES = 96L << 20;

    @TempDir
    Path dir;

    private TestDatabase db;
    private final List<AutoCloseable> stops = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        db = TestDatabase.open("jdbc:sqlite:" + dir.resolve("wal.db"));
    }

    @AfterEach
    void close() throws Exception {
        for (int i = stops.size() - 1; i >= 0; i--) {
            stops.get(i).close();
        }
        db.close();
    }

    @Test
    void pooledConnectionsLeaveCheckpointsToTheCheckpointer() {
        assertThat(db.factory.checkpointsOffCommitPath()).isTrue();
        int autocheckpoint = db.jdbi.withHandle(h -> h.createQuery("PRAGMA wal_autocheckpoint")
                .mapTo(Integer.class).one());
        assertThat(autocheckpoint).isZero();
    }

    @Test
    void walStaysBoundedUnderSustainedWrites() throws Exception {
        MetricRegistry metrics = new MetricRegistry();
        LocationWriter writer = writer(metrics);
        WalCheckpointer checkpointer = new WalCheckpointer(db.jdbi, writer.commits(), Duration.ofMillis(50),
                WalCheckpointer.RESTART_FRAMES, metrics);
        checkpointer.start();
        stops.add(checkpointer::stop);

        Load load = writeFor(writer, LOAD);

        System.out.printf("WAL with checkpointer: rows=%d largest WAL=%d bytes, passes=%d catch-ups=%d%n", load.rows,
                load.largestWal, metrics.timer(WalCheckpointer.METRIC_CHECKPOINT).getCount(),
                metrics.timer(WalCheckpointer.METRIC_CATCH_UP).getCount());
        assertThat(load.rows).as("rows written in %s", LOAD).isGreaterThan(20_000);
        assertThat(load.largestWal).as("largest WAL file seen").isLessThan(BOUND_BYTES);
        // the writer commits back to back here, so passive passes alone never find the log fully copied
        assertThat(metrics.timer(WalCheckpointer.METRIC_CATCH_UP).getCount()).isPositive();
        assertThat(storedRows()).isEqualTo(load.rows);
    }

    @Test
    void withoutTheCheckpointerTheSameLoadGrowsTheWalPastTheBound() throws Exception {
        LocationWriter writer = writer(new MetricRegistry());

        Load load = writeFor(writer, LOAD);

        System.out.printf("WAL without checkpointer: rows=%d largest WAL=%d bytes%n", load.rows, load.largestWal);
        assertThat(load.largestWal).isGreaterThan(BOUND_BYTES);
        assertThat(storedRows()).isEqualTo(load.rows);
    }

    private LocationWriter writer(MetricRegistry metrics) {
        LocationWriter writer = new LocationWriter(db.jdbi, 20_000, 500, Duration.ofSeconds(30), metrics);
        writer.start();
        stops.add(writer::stop);
        return writer;
    }

    private record Load(long rows, long largestWal) {
    }

    /**
     * Keeps the writer's queue fed for {@code duration} (ten batches of 200 rows in flight, so that it commits back to
     * back), every row acknowledged; samples the WAL file's size.
     */
    private Load writeFor(LocationWriter writer, Duration duration) throws Exception {
        Path wal = dir.resolve("wal.db-wal");
        long end = System.nanoTime() + duration.toNanos();
        java.util.ArrayDeque<CompletableFuture<Void>> inFlight = new java.util.ArrayDeque<>();
        long rows = 0;
        long largest = 0;
        long t = 1;
        while (System.nanoTime() < end || !inFlight.isEmpty()) {
            if (System.nanoTime() < end && inFlight.size() < 10) {
                List<LocationRow> batch = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    batch.add(location("tenant-wal", "s" + (t % 50), t++));
                }
                inFlight.add(CompletableFuture.allOf(writer.submitAll(batch).toArray(CompletableFuture[]::new)));
                rows += batch.size();
            } else {
                inFlight.poll().get(30, TimeUnit.SECONDS);
            }
            if (Files.exists(wal)) {
                largest = Math.max(largest, Files.size(wal));
            }
        }
        return new Load(rows, largest);
    }

    private long storedRows() {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM locations").mapTo(Long.class).one());
    }
}
