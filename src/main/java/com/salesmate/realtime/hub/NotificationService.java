package com.salesmate.realtime.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.salesmate.realtime.api.NotificationEvent;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.persistence.NotificationDao;
import com.salesmate.realtime.persistence.NotificationRow;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Durable notifications: stored first, then delivered to every socket in the salesman's room; redelivered on each
 * authentication of the salesman until acknowledged, purged after their time-to-live.
 */
public class NotificationService {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationService.class);
    private static final int REDELIVERY_LIMIT = 500;

    /** What {@link #send} did: the stored id and how many sockets it reached now. */
    public record Sent(String id, int delivered) {
    }

    private final Jdbi jdbi;
    private final Publisher publisher;
    private final SocketMetrics metrics;
    private final ObjectMapper mapper;
    private final Duration ttl;
    private final Clock clock;
    /**
     * On a single node, where every notification is stored through this service: the salesmen who may have pending
     * ones, each with a count of sends, so that a connect asks the database only for them. Null (a cluster, where
     * another node may have stored one): every connect asks.
     */
    private volatile Map<String, Long> mayHavePending;
    /** Most salesmen {@link #mayHavePending} keeps; past it the map is dropped (every connect asks). */
    static final int MAX_TRACKED = 200_000;

    public NotificationService(Jdbi jdbi, Publisher publisher, SocketMetrics metrics, ObjectMapper mapper,
                               Duration ttl, Clock clock) {
        this.jdbi = jdbi;
        this.publisher = publisher;
        this.metrics = metrics;
        this.mapper = mapper;
        this.ttl = ttl;
        this.clock = clock;
    }

    /**
     * From now on a connect asks the database for pending notifications only when the salesman may have some: those
     * that have some now (read once here) and those sent one since. Single node only. Blocking.
     */
    public void trackPending() {
        Map<String, Long> marks = new ConcurrentHashMap<>();
        jdbi.withExtension(NotificationDao.class, dao -> dao.salesmenWithPending(clock.millis()))
                .forEach(salesman -> marks.put(salesman, 0L));
        mayHavePending = marks;
    }

    /** False when the salesman is known to have no pending notification (nothing to redeliver, no query needed). */
    public boolean mayHavePending(String salesmanId) {
        Map<String, Long> marks = mayHavePending;
        return marks == null || marks.containsKey(salesmanId);
    }

    /** Stores the notification (503 {@code unavailable} if the database refuses), then delivers it. */
    public Sent send(String tenantId, String salesmanId, String title, String message, String type, JsonNode data) {
        long now = clock.millis();
        Map<String, Long> marks = mayHavePending;
        if (marks != null) { // before it is stored: a connect from now on looks
            marks.merge(salesmanId, 1L, Long::sum);
            if (marks.size() > MAX_TRACKED) {
                // bounded: past it every connect asks the database (always right, only slower)
                mayHavePending = null;
                LOG.info("more than {} salesmen with pending notifications: every connect asks the database",
                        MAX_TRACKED);
            }
        }
        NotificationRow row = new NotificationRow(UUID.randomUUID().toString(), tenantId, salesmanId, title, message,
                type, data == null || data.isNull() ? null : data.toString(), now, now + ttl.toMillis(), null);
        try {
            jdbi.useExtension(NotificationDao.class, dao -> dao.insert(row));
        } catch (JdbiException e) {
            LOG.warn("notification for salesman {} not stored: {}", salesmanId,
                    com.salesmate.realtime.persistence.DatabaseErrors.describe(e));
            throw new ApiException(ErrorCode.UNAVAILABLE, "notification could not be stored; retry shortly");
        }
        metrics.notification("stored", 1);
        int delivered = publisher.toRoom(tenantId, Rooms.salesman(tenantId, salesmanId), Events.NOTIFICATION,
                payload(row)).awaitTotal();
        metrics.notification("delivered", delivered);
        return new Sent(row.id(), delivered);
    }

    /** Sends a newly authenticated salesman socket what he has not acknowledged yet. Blocking: not on the event loop. */
    public void redeliver(Connection connection) {
        var who = connection.identity();
        Map<String, Long> marks = mayHavePending;
        Long mark = marks == null ? null : marks.get(who.salesmanId());
        if (marks != null && mark == null) {
            return;
        }
        List<NotificationRow> pending = jdbi.withExtension(NotificationDao.class,
                dao -> dao.pending(who.tenantId(), who.salesmanId(), clock.millis(), REDELIVERY_LIMIT));
        if (pending.isEmpty() && marks != null) {
            marks.remove(who.salesmanId(), mark); // none left; kept if one was sent meanwhile
        }
        int sent = 0;
        for (NotificationRow row : pending) {
            sent += publisher.toSocket(connection, Events.NOTIFICATION, payload(row));
        }
        metrics.notification("redelivered", sent);
    }

    /** Marks a notification acknowledged; only the salesman it belongs to may. Blocking. */
    public void ack(String tenantId, String salesmanId, String id) {
        int updated;
        try {
            updated = jdbi.withExtension(NotificationDao.class, dao -> dao.ack(id, tenantId, salesmanId, clock.millis()));
        } catch (JdbiException e) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "acknowledgement could not be stored; retry shortly");
        }
        if (updated == 0) {
            throw ApiException.forbidden("no notification " + id + " for this salesman");
        }
        metrics.notification("acked", 1);
    }

    /** Deletes notifications past their time-to-live; returns how many. */
    public int purgeExpired() {
        return jdbi.withExtension(NotificationDao.class, dao -> dao.purgeExpired(clock.millis()));
    }

    private NotificationEvent payload(NotificationRow row) {
        return new NotificationEvent(row.id(), row.title(), row.message(), row.type(), data(row.data()),
                row.createdAt());
    }

    /** The stored JSON text as JSON; text that does not parse goes out as a string. */
    private JsonNode data(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            return mapper.readTree(stored);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(stored);
        }
    }
}
