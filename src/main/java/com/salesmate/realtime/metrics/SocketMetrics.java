package com.salesmate.realtime.metrics;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The Socket.IO side's instruments, registered on the application's registry; names are the constants below. */
public class SocketMetrics {
    public static final String CONNECTIONS_ACTIVE = "socketio.connections.active";
    public static final String CONNECTS = "socketio.connections.connects";
    public static final String DISCONNECTS = "socketio.connections.disconnects";
    public static final String ROOMS = "socketio.rooms";
    public static final String TENANTS_ONLINE = "socketio.tenants.online";
    public static final String SALESMEN_ONLINE = "socketio.salesmen.online";
    public static final String RECEIVED = "socketio.messages.received";
    public static final String SENT = "socketio.messages.sent";
    public static final String AUTH_FAILURES = "socketio.auth.failures";
    public static final String RATE_LIMITED = "socketio.rate-limited";
    public static final String HANDLER_ERRORS = "socketio.handler-errors";
    public static final String NOTIFICATIONS = "notifications";
    /** Followed by {@code .<reason>}: why sessions ended (see DisconnectReason). */
    public static final String DISCONNECT_REASONS = "socketio.connections.disconnects.reason";
    /** Malformed or undecodable client input (the connection is closed for it). */
    public static final String MALFORMED = "socketio.malformed";
    /** Followed by {@code .<event>}: unknown fields ignored in socket payloads. */
    public static final String UNKNOWN_FIELDS = "socketio.unknown-fields";
    /** Followed by {@code .<why>}: handshakes refused before a session was made. */
    public static final String HANDSHAKES_REFUSED = "socketio.handshakes.refused";
    public static final String RECOVERY = "socketio.recovery";
    /** Work refused because an executor's queue was full. */
    public static final String REJECTED_WORK = "socketio.rejected-work";
    /** From a CONNECT packet's arrival to the socket's first {@code authenticated} event written (histogram). */
    public static final String CONNECT = "socketio.connect";
    /** From the hub's fan-out call to every local recipient's frame handed to its channel (histogram). */
    public static final String FANOUT = "socketio.fanout";

    private final MetricRegistry registry;
    private final TenantCounters tenants;
    private final Map<String, String> eventKeys;
    private final Meter connects;
    private final Meter disconnects;
    private final Meter received;
    private final Meter sent;
    private final Meter rateLimited;
    private final Meter handlerErrors;
    private final Timer connect;
    private final Timer fanout;
    private final Map<String, Meter> byName = new ConcurrentHashMap<>();

    /** {@code knownEvents} bounds the per-event meters: other names are counted as {@code other}. */
    public SocketMetrics(MetricRegistry registry, TenantCounters tenants, Set<String> knownEvents) {
        this.registry = registry;
        this.tenants = tenants;
        this.eventKeys = knownEvents.stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(e -> e, e -> e.replaceAll("[^A-Za-z0-9_]", "_")));
        this.connects = registry.meter(CONNECTS);
        this.disconnects = registry.meter(DISCONNECTS);
        this.received = registry.meter(RECEIVED);
        this.sent = registry.meter(SENT);
        this.rateLimited = registry.meter(RATE_LIMITED);
        this.handlerErrors = registry.meter(HANDLER_ERRORS);
        this.connect = HistogramTimer.of(registry, CONNECT);
        this.fanout = HistogramTimer.of(registry, FANOUT);
    }

    public MetricRegistry registry() {
        return registry;
    }

    public TenantCounters tenants() {
        return tenants;
    }

    /** {@link #CONNECT}'s timer. */
    public Timer connectTimer() {
        return connect;
    }

    /** {@link #FANOUT}'s timer. */
    public Timer fanoutTimer() {
        return fanout;
    }

    private Meter meter(String name) {
        return byName.computeIfAbsent(name, registry::meter);
    }

    /** Per-event metric suffix: known names with ':' and '-' as '_' (Prometheus-friendly), others as {@code other}. */
    private String eventKey(String event) {
        return eventKeys.getOrDefault(event, "other");
    }

    public void connected(String transport) {
        connects.mark();
        meter(CONNECTS + "." + transport).mark();
    }

    public void disconnected(String transport) {
        disconnects.mark();
        meter(DISCONNECTS + "." + transport).mark();
    }

    /** A socket authenticated for the first time: counts toward its tenant's connections. */
    public void authenticated(String tenantId) {
        tenants.connected(tenantId);
    }

    /** One client event; {@code tenantId} null before authentication. */
    public void received(String event, String tenantId) {
        received.mark();
        meter(RECEIVED + "." + eventKey(event)).mark();
        if (tenantId != null) {
            tenants.received(tenantId);
        }
    }

    /** {@code count} deliveries of one event (one per receiving socket). */
    public void sent(String event, String tenantId, long count) {
        if (count <= 0) {
            return;
        }
        sent.mark(count);
        meter(SENT + "." + eventKey(event)).mark(count);
        if (tenantId != null) {
            tenants.sent(tenantId, count);
        }
    }

    /** A session ended for {@code reason} (a DisconnectReason's metric name). */
    public void disconnectReason(String reason) {
        meter(DISCONNECT_REASONS + "." + reason).mark();
    }

    public void malformed() {
        meter(MALFORMED).mark();
    }

    public void unknownField(String event) {
        meter(UNKNOWN_FIELDS + "." + eventKey(event)).mark();
    }

    public void handshakeRefused(String why) {
        meter(HANDSHAKES_REFUSED + "." + why).mark();
    }

    public void rejectedWork() {
        meter(REJECTED_WORK).mark();
    }

    /** A socket recovered a dropped one; {@code replayed} events were sent it. */
    public void recovered(int replayed) {
        meter(RECOVERY + ".recovered").mark();
        meter(RECOVERY + ".replayed").mark(replayed);
    }

    /** A socket asked to recover (it sent a pid) and got a fresh session. */
    public void notRecovered() {
        meter(RECOVERY + ".fresh").mark();
    }

    public void authFailure(String code) {
        meter(AUTH_FAILURES + "." + code).mark();
    }

    public void rateLimited() {
        rateLimited.mark();
    }

    public void handlerError() {
        handlerErrors.mark();
    }

    /** Notification lifecycle: stored, delivered, redelivered, acked. */
    public void notification(String what, long count) {
        meter(NOTIFICATIONS + "." + what).mark(count);
    }

    public long totalConnections() {
        return connects.getCount();
    }

    public long messagesSent() {
        return sent.getCount();
    }

    public long messagesReceived() {
        return received.getCount();
    }
}
