package com.salesmate.realtime.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.api.WebhookRequest;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Webhook;
import com.salesmate.realtime.persistence.IdGenerator;
import com.salesmate.realtime.persistence.WebhookDao;
import io.dropwizard.lifecycle.Managed;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A tenant's webhook endpoints (SPEC 10) and the outbox: {@link #report} writes one message per endpoint that wants the
 * event, in the transaction of what it reports (or in one of its own), and {@link WebhookSender} delivers them. The
 * enabled endpoints are held in memory (refreshed every {@code refresh}, and at once after a change here), so that an
 * event of a tenant without endpoints costs no query.
 */
public final class Webhooks implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An endpoint saved; {@code secret} is set only when it was generated now (shown once). */
    public record Saved(Webhook webhook, boolean created, String generatedSecret) {
    }

    private final Jdbi jdbi;
    private final IdGenerator ids;
    private final Destinations destinations;
    private final ObjectMapper json;
    private final Clock clock;
    private final ScheduledExecutorService timers;
    private final Duration refresh;
    private volatile Map<String, List<Webhook>> enabled = Map.of();
    private static final int BACKLOG = 10_000;
    /**
     * Endpoints one tenant may have: every event of the tenant writes one outbox row per endpoint that wants it, in the
     * location writer's transaction that all tenants share.
     */
    public static final int MAX_PER_TENANT = 20;
    private final java.util.concurrent.ThreadPoolExecutor writer = new java.util.concurrent.ThreadPoolExecutor(1, 1,
            0, TimeUnit.MILLISECONDS, new java.util.concurrent.ArrayBlockingQueue<>(BACKLOG), r -> {
                Thread t = new Thread(r, "webhook-reports");
                t.setDaemon(true);
                return t;
            });
    private ScheduledFuture<?> refreshing;

    public Webhooks(Jdbi jdbi, IdGenerator ids, Destinations destinations, ObjectMapper json, Clock clock,
                    ScheduledExecutorService timers, Duration refresh) {
        this.jdbi = jdbi;
        this.ids = ids;
        this.destinations = destinations;
        this.json = json;
        this.clock = clock;
        this.timers = timers;
        this.refresh = refresh;
    }

    public Destinations destinations() {
        return destinations;
    }

    public Saved put(String tenantId, String webhookId, WebhookRequest body) {
        destinations.check(body.url());
        if (body.secret() != null) {
            checkSecret(body.secret());
        }
        LinkedHashSet<String> events = new LinkedHashSet<>();
        for (String e : body.events()) {
            if (!Webhook.TYPES.contains(e)) {
                throw ApiException.invalid("events", "unknown event type " + e + "; one of " + new java.util.TreeSet<>(
                        Webhook.TYPES));
            }
            events.add(e);
        }
        long now = clock.millis();
        Saved saved = jdbi.inTransaction(h -> {
            WebhookDao dao = h.attach(WebhookDao.class);
            Optional<Webhook> existing = dao.find(tenantId, webhookId);
            if (existing.isEmpty() && dao.ofTenant(tenantId).size() >= MAX_PER_TENANT) {
                throw ApiException.invalid("webhookId", "the tenant has " + MAX_PER_TENANT
                        + " webhook endpoints, the most it may have");
            }
            String generated = body.secret() == null && existing.isEmpty() ? newSecret() : null;
            String secret = body.secret() != null ? body.secret()
                    : existing.map(Webhook::secret).orElse(generated);
            Webhook w = new Webhook(tenantId, webhookId, body.url(), String.join(",", events), secret,
                    existing.map(Webhook::createdAt).orElse(now), now, null, null);
            dao.upsert(w);
            return new Saved(w, existing.isEmpty(), generated);
        });
        reload();
        return saved;
    }

    public Optional<Webhook> find(String tenantId, String webhookId) {
        return jdbi.withExtension(WebhookDao.class, dao -> dao.find(tenantId, webhookId));
    }

    public List<Webhook> list(String tenantId) {
        return jdbi.withExtension(WebhookDao.class, dao -> dao.ofTenant(tenantId));
    }

    /** True when it existed; what was still to go to it never goes. */
    public boolean delete(String tenantId, String webhookId) {
        boolean deleted = jdbi.inTransaction(h -> {
            WebhookDao dao = h.attach(WebhookDao.class);
            dao.dropPending(tenantId, webhookId);
            return dao.delete(tenantId, webhookId) == 1;
        });
        reload();
        return deleted;
    }

    public List<WebhookDao.Delivery> deliveries(String tenantId, String webhookId, int limit) {
        return jdbi.withExtension(WebhookDao.class, dao -> dao.deliveries(tenantId, webhookId, limit));
    }

    /** The endpoint answered 410 Gone: disabled, and nothing more goes to it until it is PUT again. */
    void disable(String tenantId, String webhookId, String reason) {
        jdbi.useTransaction(h -> {
            WebhookDao dao = h.attach(WebhookDao.class);
            dao.disable(tenantId, webhookId, clock.millis(), reason);
            dao.dropPending(tenantId, webhookId);
        });
        reload();
    }

    /** Reports an event in the caller's transaction: one outbox message per endpoint of the tenant that wants it. */
    public void report(Handle handle, String tenantId, String type, Object data, long at) {
        report(handle, tenantId, type, data, at, null);
    }

    /**
     * As {@link #report(Handle, String, String, Object, long)}; {@code eventKey} names the event once for all (a
     * visit's id and event): its messages' ids are derived from it, so that if two nodes ever decided the same event
     * a receiver sees one {@code webhook-id} and keeps one.
     */
    public void report(Handle handle, String tenantId, String type, Object data, long at, String eventKey) {
        List<Webhook> endpoints = wanting(tenantId, type);
        if (endpoints.isEmpty()) {
            return;
        }
        WebhookDao dao = handle.attach(WebhookDao.class);
        String body = body(type, data, at);
        long now = clock.millis();
        for (Webhook w : endpoints) {
            String messageId = eventKey == null ? "msg_" + UUID.randomUUID().toString().replace("-", "")
                    : "msg_" + digest(tenantId + '\n' + w.webhookId() + '\n' + eventKey);
            dao.enqueue(new WebhookDao.Message(ids.next(), tenantId, w.webhookId(), messageId, type, body, now,
                    "pending", 0, now));
        }
    }

    /** Reports an event in a transaction of its own (for events nothing else stores: alerts, presence). */
    public void report(String tenantId, String type, Object data, long at) {
        if (wanting(tenantId, type).isEmpty()) {
            return;
        }
        try {
            jdbi.useTransaction(h -> report(h, tenantId, type, data, at));
        } catch (RuntimeException e) {
            LOG.warn("webhook for {} of tenant {} not written: {}", type, tenantId,
                    com.salesmate.realtime.persistence.DatabaseErrors.describe(e));
        }
    }

    /**
     * As {@link #report(String, String, Object, long)}, off the caller's thread (presence changes are told on event
     * loops), in the order told; past {@value #BACKLOG} waiting reports one is dropped and logged.
     */
    public void reportLater(String tenantId, String type, Object data, long at) {
        if (wanting(tenantId, type).isEmpty()) {
            return;
        }
        try {
            writer.execute(() -> report(tenantId, type, data, at));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("webhook for {} of tenant {} dropped: {} reports are waiting", type, tenantId, BACKLOG);
        }
    }

    private List<Webhook> wanting(String tenantId, String type) {
        List<Webhook> all = enabled.getOrDefault(tenantId, List.of());
        if (all.isEmpty()) {
            return all;
        }
        return all.stream().filter(w -> w.wants(type)).toList();
    }

    private static String digest(String text) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The Standard Webhooks payload: {@code { type, timestamp, data }}. */
    private String body(String type, Object data, long at) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", type);
        payload.put("timestamp", Instant.ofEpochMilli(at).toString());
        payload.put("data", data);
        try {
            return json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a webhook payload did not serialise", e);
        }
    }

    /** A secret the signer takes: {@code whsec_} and the base64 of 24 to 64 bytes. */
    static void checkSecret(String secret) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("secret", "secret must be whsec_ and valid base64");
        }
        if (key.length < 24 || key.length > 64) {
            throw ApiException.invalid("secret", "secret must be whsec_ and the base64 of 24 to 64 bytes");
        }
    }

    static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    void reload() {
        Map<String, List<Webhook>> byTenant = new LinkedHashMap<>();
        for (Webhook w : jdbi.withExtension(WebhookDao.class, WebhookDao::enabled)) {
            byTenant.computeIfAbsent(w.tenantId(), t -> new ArrayList<>()).add(w);
        }
        enabled = Map.copyOf(byTenant);
    }

    @Override
    public void start() {
        reload();
        long every = Math.max(100, refresh.toMillis());
        refreshing = timers.scheduleWithFixedDelay(() -> {
            try {
                reload();
            } catch (RuntimeException e) {
                LOG.warn("webhook endpoints not refreshed: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() throws InterruptedException {
        if (refreshing != null) {
            refreshing.cancel(false);
        }
        writer.shutdown();
        writer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
