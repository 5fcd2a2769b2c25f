package com.salesmate.realtime.metrics;

import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Reservoir;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Dropwizard timer that also counts every duration in fixed latency buckets, so that /prometheus can export it as a
 * classic histogram ({@code <name>_seconds_bucket}, {@code _sum}, {@code _count}), which sums across nodes where the
 * Dropwizard quantiles do not. Everything else (the /metrics JSON, {@code getSnapshot()}, the rates) is the timer's as
 * before. Made with {@link #of}; {@link PrometheusExport} finds them by their class.
 */
public final class HistogramTimer extends Timer {
    /** The buckets' upper bounds in seconds; the {@code +Inf} bucket follows. */
    public static final double[] BOUNDS_SECONDS =
            {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final Buckets buckets;

    private HistogramTimer(Buckets buckets) {
        super(buckets);
        this.buckets = buckets;
    }

    /**
     * The timer {@code name} of {@code registry}, created as a histogram timer. Refuses a name already taken by another
     * kind of timer: it would silently not be exported as a histogram.
     */
    public static Timer of(MetricRegistry registry, String name) {
        Timer timer = registry.timer(name, () -> new HistogramTimer(new Buckets()));
        if (!(timer instanceof HistogramTimer)) {
            throw new IllegalStateException("timer " + name + " already exists as a plain timer");
        }
        return timer;
    }

    /** The cumulative counts and sum as one Prometheus data point ({@code _count} is the {@code +Inf} bucket). */
    HistogramSnapshot.HistogramDataPointSnapshot dataPoint() {
        return buckets.dataPoint();
    }

    /**
     * Dropwizard's forward-decaying sample (the lock-free one: some of these timers are updated per acknowledgement
     * or per fan-out) plus a count per bucket and the sum, each a LongAdder: an update adds to two cells, no lock.
     */
    private static final class Buckets implements Reservoir {
        private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];
        private static final double[] UPPER_BOUNDS = new double[BOUNDS_SECONDS.length + 1];

        static {
            for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
                BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * TimeUnit.SECONDS.toNanos(1));
                UPPER_BOUNDS[i] = BOUNDS_SECONDS[i];
            }
            UPPER_BOUNDS[BOUNDS_SECONDS.length] = Double.POSITIVE_INFINITY;
        }

        private final Reservoir sample = LockFreeExponentiallyDecayingReservoir.builder().build();
        private final LongAdder[] counts = new LongAdder[UPPER_BOUNDS.length];
        private final LongAdder sumNanos = new LongAdder();

        Buckets() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        @Override
        public int size() {
            return sample.size();
        }

        /** A duration in nanoseconds (the timer passes none below 0). */
        @Override
        public void update(long nanos) {
            sample.update(nanos);
            int i = 0;
            while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
                i++;
            }
            counts[i].increment();
            sumNanos.add(nanos);
        }

        @Override
        public Snapshot getSnapshot() {
            return sample.getSnapshot();
        }

        HistogramSnapshot.HistogramDataPointSnapshot dataPoint() {
            long[] perBucket = new long[counts.length];
            for (int i = 0; i < counts.length; i++) {
                perBucket[i] = counts[i].sum();
            }
            return HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(UPPER_BOUNDS, perBucket))
                    .sum(sumNanos.sum() / 1e9)
                    .build();
        }
    }
}
