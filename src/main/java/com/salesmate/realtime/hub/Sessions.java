package com.salesmate.realtime.hub;

import com.salesmate.realtime.api.ErrorResponse;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.metrics.SocketMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A socket's life on this node: registered when its session opens, held to the authentication timeout, admitted into
 * its rooms and presence with an identity that never changes, held to its token's expiry, and forgotten at once
 * (registry, rooms, typing, presence, timers) when the session ends for any reason.
 */
final class Sessions {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);

    private final ConnectionRegistry registry;
    private final Presence presence;
    private final Membership membership;
    private final TypingHandler typing;
    private final Recovery recovery;
    private final Publisher publisher;
    private final SocketMetrics metrics;
    private final ScheduledExecutorService timers;
    private final HubSettings settings;
    private final Clock clock;

    /** Where an admitted socket is recorded, and so what forgets it when it leaves. */
    record Tracking(ConnectionRegistry registry, Membership membership, Presence presence, TypingHandler typing,
                    Recovery recovery) {
    }

    Sessions(Tracking tracking, Publisher publisher, HubSettings settings, RealtimeHub.Services services) {
        this.registry = tracking.registry();
        this.presence = tracking.presence();
        this.membership = tracking.membership();
        this.typing = tracking.typing();
        this.recovery = tracking.recovery();
        this.publisher = publisher;
        this.metrics = services.metrics();
        this.timers = services.timers();
        this.settings = settings;
        this.clock = services.clock();
    }

    Connection open(Link link) {
        long now = System.nanoTime();
        HubSettings.Limits limits = settings.limits();
        Connection connection = new Connection(link, clock.millis(), new Connection.Buckets(
                new RateLimiter(settings.rateLimitPerSecond(), now),
                new RateLimiter(limits.controlPerSecond(), limits.controlBurst(), now),
                new RateLimiter(limits.joinsPerSecond(), limits.joinBurst(), now)), this::forget);
        registry.add(connection);
        metrics.connected(connection.transport());
        long timeout = settings.authTimeout().toMillis();
        connection.authTimeout(timers.schedule(() -> {
            synchronized (connection) { // ordered with admit(): an authenticate at the deadline is in, or refused
                if (!connection.isAuthenticated()) {
                    refuse(connection, Ack.NONE, new ApiException(ErrorCode.UNAUTHENTICATED,
                            "not authenticated within " + settings.authTimeout()), DisconnectReason.AUTH_TIMEOUT);
                }
            }
        }, timeout, TimeUnit.MILLISECONDS));
        return connection;
    }

    /**
     * Marks the socket authenticated, joins its rooms and arms the expiry timer; on first authentication also counts
     * it and tells presence. True when first. The caller has checked that a repeat carries the same identity.
     */
    boolean admit(Connection connection, Identity identity) {
        synchronized (connection) { // ordered with forget(): presence never sees a connect after the socket left
            return admitLocked(connection, identity);
        }
    }

    private boolean admitLocked(Connection connection, Identity identity) {
        if (!connection.isOpen()) {
            return false;
        }
        boolean first = connection.identity() == null;
        connection.identity(identity);
        connection.cancelAuthTimeout();
        for (String room : Rooms.automatic(identity)) {
            registry.join(connection, room);
        }
        long untilExpiry = Math.max(0, identity.expiresAt().toEpochMilli() - clock.millis());
        connection.expiry(timers.schedule(() -> {
            LOG.info("token of connection {} expired; disconnecting", connection.id());
            refuse(connection, Ack.NONE, new ApiException(ErrorCode.EXPIRED_TOKEN, "token has expired"),
                    DisconnectReason.TOKEN_EXPIRED);
        }, untilExpiry, TimeUnit.MILLISECONDS));
        if (first) {
            metrics.authenticated(identity.tenantId());
            membership.admitted(connection);
            if (identity.isSalesman()) {
                presence.connected(identity);
            }
        }
        return first;
    }

    /**
     * Admits a socket that takes over a dropped one (its identity from the token just checked), in the rooms that one
     * was in: the automatic rooms and those it had joined.
     */
    void restore(Connection connection, Identity identity, Set<String> rooms) {
        admit(connection, identity);
        for (String room : rooms) {
            if (registry.join(connection, room)) {
                membership.joined(connection, room);
            }
        }
    }

    /** {@code auth:error} (and the ack), then the session is closed for {@code reason}. */
    void refuse(Connection connection, Ack ack, ApiException e, DisconnectReason reason) {
        ErrorResponse body = Replies.errorBody(e);
        publisher.toSocket(connection, Events.AUTH_ERROR, body);
        Replies.ack(ack, body);
        connection.close(reason);
    }

    /**
     * The session ended: runs once per connection, before the transport is closed. What recovery keeps of it is handed
     * over after the connection's lock is released (recovery's lock is taken before a connection's, never after).
     */
    private void forget(Connection connection) {
        Recovery.Saved dropped;
        synchronized (connection) {
            dropped = forgetLocked(connection);
        }
        recovery.live().gone(connection);
        if (dropped != null) {
            recovery.save(dropped);
        }
    }

    /** Forgets the socket; answers what recovery keeps of it, or null. */
    private Recovery.Saved forgetLocked(Connection connection) {
        connection.cancelTimers();
        typing.forget(connection);
        Set<String> rooms = Set.copyOf(connection.rooms());
        if (!registry.remove(connection)) {
            return null;
        }
        Identity who = connection.identity();
        Recovery.Saved dropped = who != null && connection.pid() != null && connection.closeReason().isRecoverable()
                ? new Recovery.Saved(connection.pid(), connection.id(), who, rooms, connection.since(), clock.millis())
                : null;
        metrics.disconnected(connection.transport());
        metrics.disconnectReason(connection.closeReason().metricName());
        Identity identity = connection.identity();
        if (identity != null) {
            membership.left(connection);
            if (identity.isSalesman()) {
                presence.disconnected(identity, clock.millis());
            }
        }
        return dropped;
    }
}
