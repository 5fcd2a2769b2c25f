package com.salesmate.realtime.health;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.codahale.metrics.health.HealthCheckRegistryListener;
import io.dropwizard.health.HealthEnvironment;
import io.dropwizard.health.HealthStateAggregator;
import io.dropwizard.health.HealthStateView;
import io.dropwizard.health.HealthStatusChecker;
import io.dropwizard.lifecycle.Managed;

import java.time.Duration;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The health checks as gauges: {@code health.<check>} (1 healthy, 0 not) for every registered check, and
 * {@code health.ready}, 1 exactly when the application port's {@code /health-check} answers 200. A check that
 * Dropwizard runs on a schedule (listed under {@code health.healthChecks}) reads the scheduled state {@code /health-check} answers
 * from; the others (Dropwizard's {@code deadlocks}, a check not listed) are run here every {@link #UNSCHEDULED_EVERY}
 * on a thread of their own. No check runs for a scrape.
 */
public final class HealthGauges implements Managed, HealthCheckRegistryListener {
    public static final String PREFIX = "health.";
    public static final String READY = "health.ready";
    /** How often the checks without a schedule of Dropwizard's are run for their gauge. */
    public static final Duration UNSCHEDULED_EVERY = Duration.ofSeconds(10);

    private final HealthCheckRegistry checks;
    /** Null without Dropwizard's health module (no {@code health} block or {@code enabled: false}; no /health-check). */
    private final HealthStateAggregator scheduled;
    private final MetricRegistry metrics;
    private final ScheduledExecutorService executor;
    private final Map<String, Boolean> unscheduledResults = new ConcurrentHashMap<>();
    private ScheduledFuture<?> running;

    public HealthGauges(HealthEnvironment health, MetricRegistry metrics, ScheduledExecutorService executor) {
        this.checks = health.healthChecks();
        this.scheduled = scheduledStates(health);
        this.metrics = metrics;
        this.executor = executor;
        // the aggregator is Dropwizard's HealthCheckManager, which is also what /health-check asks
        if (scheduled instanceof HealthStatusChecker status) {
            metrics.register(READY, (Gauge<Integer>) () -> status.isHealthy() ? 1 : 0);
        }
        checks.addListener(this); // called for the checks registered so far too
    }

    /** Dropwizard's scheduled states; null when the configuration has no {@code health} block. */
    private static HealthStateAggregator scheduledStates(HealthEnvironment health) {
        try {
            return health.healthStateAggregator();
        } catch (IllegalStateException notConfigured) {
            return null;
        }
    }

    @Override
    public void onHealthCheckAdded(String name, HealthCheck healthCheck) {
        MetricRegistry.MetricSupplier<Gauge<Integer>> gauge = () -> () -> healthy(name);
        metrics.gauge(PREFIX + name, gauge);
    }

    @Override
    public void onHealthCheckRemoved(String name, HealthCheck healthCheck) {
        metrics.remove(PREFIX + name);
        unscheduledResults.remove(name);
    }

    @Override
    public void start() {
        running = executor.scheduleWithFixedDelay(this::runUnscheduled, 0, UNSCHEDULED_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (running != null) {
            running.cancel(false);
        }
    }

    /** 1 or 0; null (no sample) for an unscheduled check not run yet. */
    private Integer healthy(String name) {
        Optional<HealthStateView> view = scheduled == null ? Optional.empty() : scheduled.healthStateView(name);
        Boolean healthy = view.isPresent() ? Boolean.valueOf(view.get().isHealthy()) : unscheduledResults.get(name);
        return healthy == null ? null : healthy ? 1 : 0;
    }

    private void runUnscheduled() {
        for (String name : checks.getNames()) {
            if (scheduled == null || scheduled.healthStateView(name).isEmpty()) {
                try {
                    // a check that throws is unhealthy
                    unscheduledResults.put(name, checks.runHealthCheck(name).isHealthy());
                } catch (NoSuchElementException removed) {
                    unscheduledResults.remove(name);
                }
            }
        }
    }
}
