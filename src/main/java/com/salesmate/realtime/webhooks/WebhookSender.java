package com.salesmate.realtime.webhooks;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Webhook;
import com.salesmate.realtime.metrics.HistogramTimer;
import com.salesmate.realtime.persistence.IdGenerator;
import com.salesmate.realtime.persistence.WebhookDao;
import com.standardwebhooks.exceptions.WebhookSigningException;
import io.dropwizard.lifecycle.Managed;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Delivers the outbox (SPEC 10): each due message is leased by one node, POSTed with the Standard Webhooks headers
 * ({@code webhook-id} the same on every attempt, a fresh {@code webhook-timestamp} and {@code webhook-signature}),
 * within {@code timeout}, never following a redirect. 2xx: delivered. 410: the endpoint is disabled and nothing more
 * goes to it. Anything else (another status, a timeout, a refused connection): again after 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h and 10 h (each up to 20% longer, at random; a longer {@code Retry-After} is honoured, up to a day), so for at
 * least 27 h 35 min, then
 * given up. Every attempt is logged ({@code GET /webhooks/{id}/deliveries}); finished messages and the log are kept
 * for {@link #RETENTION}.
 */
public final class WebhookSender implements Managed {
    /** One HTTP delivery attempt, whatever its outcome (histogram). */
    public static final String METRIC_ATTEMPT = "webhooks.attempt";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    /** Wait after the n-th failed attempt (index n - 1); past the last, the message is given up. */
    static final List<Duration> RETRIES = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
            Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
    static final long MAX_RETRY_AFTER_MS = Duration.ofDays(1).toMillis();
    /** A lease outlasts a whole delivery several times over: a message is sent again only if its sender died. */
    private static final long MIN_LEASE_MS = 60_000;
    private final long leaseMillis;
    private static final int BATCH = 32;
    /** How long finished messages and the delivery log are kept. */
    static final Duration RETENTION = Duration.ofDays(7);
    private static final long PURGE_EVERY_MS = Duration.ofMinutes(10).toMillis();
    private long lastPurge;
    private final java.util.concurrent.Semaphore inFlight;

    private final Jdbi jdbi;
    private final Webhooks webhooks;
    private final HttpClient http;
    private final Clock clock;
    private final IdGenerator ids;
    private final Duration timeout;
    private final ScheduledExecutorService poller;
    private final ExecutorService senders;
    private final int threads;
    private final Meter delivered;
    private final Meter retried;
    private final Meter failed;
    private final Meter disabled;
    private final Timer attempts;
    private ScheduledFuture<?> polling;

    public WebhookSender(Jdbi jdbi, Webhooks webhooks, Clock clock, IdGenerator ids, Duration timeout,
                         int threads, MetricRegistry metrics) {
        this.jdbi = jdbi;
        this.webhooks = webhooks;
        this.clock = clock;
        this.ids = ids;
        this.timeout = timeout;
        this.threads = threads;
        this.leaseMillis = Math.max(MIN_LEASE_MS, timeout.toMillis() * 3);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "webhook-poller"));
        this.senders = Executors.newFixedThreadPool(threads, r -> daemon(r, "webhook-sender"));
        this.inFlight = new java.util.concurrent.Semaphore(threads * 2);
        this.delivered = metrics.meter("webhooks.deliveries.delivered");
        this.retried = metrics.meter("webhooks.deliveries.retry");
        this.failed = metrics.meter("webhooks.deliveries.failed");
        this.disabled = metrics.meter("webhooks.deliveries.disabled");
        this.attempts = HistogramTimer.of(metrics, METRIC_ATTEMPT);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void start() {
        polling = poller.scheduleWithFixedDelay(this::poll, 200, 200, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() throws InterruptedException {
        if (polling != null) {
            polling.cancel(false);
        }
        poller.shutdown();
        senders.shutdown();
        senders.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    }

    /**
     * Leases what is due, no more than the senders have room for, and hands it to them; a slow endpoint holds one
     * sender for at most {@code timeout}, not the next poll.
     */
    void poll() {
        try {
            int leased;
            do { // while there is more due than one lease took: on, as senders free up, not after the next tick
                leased = leaseAndSend();
            } while (leased > 0 && !Thread.currentThread().isInterrupted());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("webhook outbox not polled: {}", e.toString());
        }
    }

    /** One lease of what is due, no more than the senders have room for; above 0 when there may be more to lease. */
    private int leaseAndSend() throws InterruptedException {
        int room = Math.min(BATCH, inFlight.availablePermits());
        if (room == 0) {
            inFlight.acquire(); // wait for a sender to finish, then lease for it
            inFlight.release();
            return 1;
        }
        long now = clock.millis();
        long leaseUntil = now + leaseMillis;
        String owner = java.util.UUID.randomUUID().toString(); // this poll's lease, and only it, owns these
        List<WebhookDao.Message> due = jdbi.withExtension(WebhookDao.class, dao -> {
            if (dao.lease(owner, leaseUntil, now, room) == 0) {
                return List.of();
            }
            return dao.leased(owner);
        });
        for (WebhookDao.Message m : due) {
            inFlight.acquire();
            senders.execute(() -> {
                try {
                    deliver(m, owner);
                } catch (RuntimeException e) {
                    LOG.warn("webhook message {} not delivered: {}", m.messageId(), e.toString()); // lease ends
                } finally {
                    inFlight.release();
                }
            });
        }
        if (now - lastPurge > PURGE_EVERY_MS) {
            lastPurge = now;
            purge(now);
        }
        return due.size() == room ? due.size() : 0; // fewer than it could take: nothing more is due now
    }

    /** What is done with (delivered, given up, dropped) and the delivery log, past {@code RETENTION}. */
    private void purge(long now) {
        long cutoff = now - RETENTION.toMillis();
        jdbi.useExtension(WebhookDao.class, dao -> {
            dao.purgeDone(cutoff);
            dao.purgeLog(cutoff);
        });
    }

    void deliver(WebhookDao.Message m, String owner) {
        Optional<Webhook> endpoint = webhooks.find(m.tenantId(), m.webhookId());
        if (endpoint.isEmpty() || !endpoint.get().enabled()) {
            jdbi.useExtension(WebhookDao.class, dao -> dao.attempted(m.id(), owner, "dropped", m.attempts(),
                    m.nextAttemptAt()));
            return;
        }
        Webhook w = endpoint.get();
        int attempt = m.attempts() + 1;
        long started = System.nanoTime();
        Integer status = null;
        String error = null;
        Long retryAfter = null;
        try {
            URI uri = webhooks.destinations().check(w.url());
            long timestamp = clock.millis() / 1000;
            String signature = new com.standardwebhooks.Webhook(w.secret()).sign(m.messageId(), timestamp, m.body());
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .header("content-type", "application/json")
                    .header("user-agent", "salesmate-realtime-webhooks")
                    .header("webhook-id", m.messageId())
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", signature)
                    .POST(HttpRequest.BodyPublishers.ofString(m.body()))
                    .build();
            // the request timeout stops at the answer's headers: the whole exchange, body included, is bounded here
            java.util.concurrent.CompletableFuture<HttpResponse<Void>> exchange =
                    http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
            HttpResponse<Void> response;
            try {
                response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                exchange.cancel(true);
                throw new java.net.http.HttpTimeoutException("no whole answer within " + timeout);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            status = response.statusCode();
            retryAfter = response.headers().firstValue("retry-after").map(WebhookSender::retryAfterMillis)
                    .orElse(null);
        } catch (ApiException e) {
            error = "destination refused: " + e.getMessage();
        } catch (WebhookSigningException e) {
            error = "not signed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        } catch (Exception e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        long tookNanos = System.nanoTime() - started;
        attempts.update(tookNanos, TimeUnit.NANOSECONDS);
        long took = TimeUnit.NANOSECONDS.toMillis(tookNanos);
        long now = clock.millis();
        String outcome;
        long next = now;
        String state;
        if (status != null && status >= 200 && status < 300) {
            outcome = "delivered";
            state = "delivered";
            delivered.mark();
        } else if (status != null && status == 410) {
            outcome = "disabled";
            state = "dropped";
            webhooks.disable(m.tenantId(), m.webhookId(), "the endpoint answered 410 Gone");
            disabled.mark();
            LOG.info("webhook {} of tenant {} disabled: it answered 410 Gone", m.webhookId(), m.tenantId());
        } else if (attempt > RETRIES.size()) {
            outcome = "failed";
            state = "failed";
            failed.mark();
        } else {
            outcome = "retry";
            state = "pending";
            next = now + nextDelay(attempt, retryAfter);
            retried.mark();
        }
        WebhookDao.Delivery log = new WebhookDao.Delivery(ids.next(), m.tenantId(), m.webhookId(), m.messageId(),
                m.type(), attempt, now, status, error == null ? null : truncate(error), took, outcome);
        long nextAttempt = next;
        jdbi.useTransaction(h -> { // one commit for the outcome and its log line
            WebhookDao dao = h.attach(WebhookDao.class);
            dao.attempted(m.id(), owner, state, attempt, nextAttempt);
            dao.logged(log);
        });
    }

    /** The wait after the {@code attempt}-th failure: the schedule plus up to 20% jitter, or a longer Retry-After. */
    static long nextDelay(int attempt, Long retryAfterMillis) {
        long base = RETRIES.get(attempt - 1).toMillis();
        long jittered = (long) (base * (1.0 + 0.2 * ThreadLocalRandom.current().nextDouble())); // never shorter
        if (retryAfterMillis != null && retryAfterMillis > jittered) {
            return Math.min(retryAfterMillis, MAX_RETRY_AFTER_MS);
        }
        return jittered;
    }

    /** {@code Retry-After}: seconds, or an HTTP date; null when neither. */
    static Long retryAfterMillis(String value) {
        String v = value.trim();
        try {
            return Math.max(0, Long.parseLong(v)) * 1000;
        } catch (NumberFormatException notSeconds) {
            try {
                return Math.max(0, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()
                        .toEpochMilli() - System.currentTimeMillis());
            } catch (RuntimeException notADate) {
                return null;
            }
        }
    }

    private static String truncate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500);
    }
}
