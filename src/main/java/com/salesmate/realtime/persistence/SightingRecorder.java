package com.salesmate.realtime.persistence;

import io.dropwizard.lifecycle.Managed;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Salesmen's last-seen times, written in batches: a connect or disconnect only notes the time, and a flush every
 * interval upserts everything noted in one transaction (so thousands of connects cost a few commits, not one fsync
 * each). A failed flush keeps its sightings for the next; stop flushes what is left.
 */
public class SightingRecorder implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(SightingRecorder.class);

    private final Jdbi jdbi;
    private final Duration interval;
    private final Map<String, SalesmanRow> pending = new ConcurrentHashMap<>();
    private ScheduledExecutorService flusher;

    public SightingRecorder(Jdbi jdbi, Duration interval) {
        this.jdbi = jdbi;
        this.interval = interval;
    }

    /** Notes that a salesman of a tenant was seen at {@code at} (epoch ms); the latest time wins. */
    public void seen(String tenantId, String salesmanId, long at) {
        pending.merge(salesmanId, new SalesmanRow(salesmanId, tenantId, at, at),
                (old, now) -> now.lastSeen() >= old.lastSeen() ? now : old);
    }

    /** Writes what was noted; returns how many salesmen. */
    public int flush() {
        if (pending.isEmpty()) {
            return 0;
        }
        List<SalesmanRow> batch = new ArrayList<>();
        for (String id : List.copyOf(pending.keySet())) {
            SalesmanRow row = pending.remove(id);
            if (row != null) {
                batch.add(row);
            }
        }
        try {
            jdbi.useTransaction(h -> h.attach(SalesmanDao.class).seenAll(batch));
            return batch.size();
        } catch (RuntimeException e) {
            batch.forEach(row -> seen(row.tenantId(), row.salesmanId(), row.lastSeen()));
            LOG.warn("last-seen of {} salesmen not written yet: {}", batch.size(), DatabaseErrors.describe(e));
            return 0;
        }
    }

    @Override
    public void start() {
        flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sighting-recorder");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::flush, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() throws InterruptedException {
        flusher.shutdown();
        flusher.awaitTermination(5, TimeUnit.SECONDS);
        int written = flush();
        LOG.info("last-seen recorder flushed {} salesmen on stop", written);
    }
}
