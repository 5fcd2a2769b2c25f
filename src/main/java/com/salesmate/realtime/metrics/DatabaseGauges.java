package com.salesmate.realtime.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.salesmate.realtime.persistence.DatabaseErrors;
import com.salesmate.realtime.persistence.NotificationDao;
import com.salesmate.realtime.persistence.WebhookDao;
import io.dropwizard.lifecycle.Managed;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gauges of what the database holds, counted off the scrape path: a few {@code COUNT(*)} queries every
 * {@code refresh} on a thread of their own, the gauges read the last counts. They are figures of the whole database,
 * so in a cluster every node reports the same ones (aggregate with max, not sum). {@code -1}: the last count failed
 * (the database did not answer), or none has run yet.
 */
public final class DatabaseGauges implements Managed {
    /** Notifications stored and neither acknowledged nor expired. */
    public static final String NOTIFICATIONS_PENDING = "notifications.pending";
    /** Outbox messages waiting for a first attempt or a retry. */
    public static final String WEBHOOKS_PENDING = "webhooks.pending";
    /** Enabled endpoints with a message waiting for a retry (its last attempt failed). */
    public static final String WEBHOOKS_FAILING = "webhooks.endpoints.failing";
    /** Endpoints disabled after a 410 Gone. */
    public static final String WEBHOOKS_DISABLED = "webhooks.endpoints.disabled";
    /** How often the counts are refreshed by default. */
    public static final Duration REFRESH = Duration.ofSeconds(15);

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseGauges.class);

    private final Jdbi jdbi;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final Duration refresh;
    private final AtomicLong notificationsPending = new AtomicLong(-1);
    private final AtomicLong webhooksPending = new AtomicLong(-1);
    private final AtomicLong webhooksFailing = new AtomicLong(-1);
    private final AtomicLong webhooksDisabled = new AtomicLong(-1);
    private volatile boolean failing;
    private ScheduledFuture<?> refreshing;

    public DatabaseGauges(Jdbi jdbi, Clock clock, ScheduledExecutorService executor, Duration refresh,
                          MetricRegistry metrics) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.executor = executor;
        this.refresh = refresh;
        metrics.register(NOTIFICATIONS_PENDING, (Gauge<Long>) notificationsPending::get);
        metrics.register(WEBHOOKS_PENDING, (Gauge<Long>) webhooksPending::get);
        metrics.register(WEBHOOKS_FAILING, (Gauge<Long>) webhooksFailing::get);
        metrics.register(WEBHOOKS_DISABLED, (Gauge<Long>) webhooksDisabled::get);
    }

    @Override
    public void start() {
        refreshing = executor.scheduleWithFixedDelay(this::refresh, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (refreshing != null) {
            refreshing.cancel(false);
        }
    }

    /** Counts again, in one read of the pool; on failure every gauge says {@code -1} and the failure is logged once. */
    void refresh() {
        try {
            jdbi.useHandle(handle -> {
                notificationsPending.set(handle.attach(NotificationDao.class).countPending(clock.millis()));
                WebhookDao webhooks = handle.attach(WebhookDao.class);
                webhooksPending.set(webhooks.pending());
                webhooksFailing.set(webhooks.countFailing());
                webhooksDisabled.set(webhooks.countDisabled());
            });
            if (failing) {
                failing = false;
                LOG.info("database gauges counted again");
            }
        } catch (RuntimeException e) {
            notificationsPending.set(-1);
            webhooksPending.set(-1);
            webhooksFailing.set(-1);
            webhooksDisabled.set(-1);
            if (!failing) {
                failing = true;
                LOG.warn("database gauges not counted (they read -1 until they are): {}", DatabaseErrors.describe(e));
            }
        }
    }
}
