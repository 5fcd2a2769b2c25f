package com.salesmate.realtime.realtime;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.SocketIOClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.auth.Revocations;
import com.salesmate.realtime.auth.TokenException;
import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.metrics.SocketMetrics;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A socket's life: connect, authentication (handshake {@code auth} or the {@code authenticate} event), the
 * authentication timeout, disconnect at token expiry, and disconnect.
 */
class SessionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SessionHandler.class);
    /** Lets an {@code auth:error} reach the client before the socket is closed. */
    private static final long CLOSE_DELAY_MS = 200;

    private final ConnectionRegistry registry;
    private final TokenService tokens;
    private final Revocations revocations;
    private final Publisher publisher;
    private final Presence presence;
    private final NotificationService notifications;
    private final TypingHandler typing;
    private final SocketMetrics metrics;
    private final Executor blocking;
    private final ScheduledExecutorService timers;
    private final Duration authTimeout;
    private final int rateLimitPerSecond;
    private final Clock clock;

    SessionHandler(ConnectionRegistry registry, TokenService tokens, Revocations revocations, Publisher publisher, Presence presence,
                   NotificationService notifications, TypingHandler typing, SocketMetrics metrics, Executor blocking,
                   ScheduledExecutorService timers, Duration authTimeout, int rateLimitPerSecond, Clock clock) {
        this.registry = registry;
        this.tokens = tokens;
        this.revocations = revocations;
        this.publisher = publisher;
        this.presence = presence;
        this.notifications = notifications;
        this.typing = typing;
        this.metrics = metrics;
        this.blocking = blocking;
        this.timers = timers;
        this.authTimeout = authTimeout;
        this.rateLimitPerSecond = rateLimitPerSecond;
        this.clock = clock;
    }

    void onConnect(SocketIOClient client) {
        Connection connection = new Connection(client, clock.millis(), new RateLimiter(rateLimitPerSecond, System.nanoTime()));
        registry.add(connection);
        metrics.connected(connection.transport());
        connection.authTimeout(timers.schedule(() -> {
            if (!connection.isAuthenticated()) {
                refuse(connection, null, new ApiException(ErrorCode.UNAUTHENTICATED, "not authenticated within " + authTimeout));
            }
        }, authTimeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    void onDisconnect(SocketIOClient client) {
        Connection connection = registry.remove(client);
        if (connection == null) {
            return;
        }
        connection.cancelTimers();
        metrics.disconnected(connection.transport());
        Identity identity = connection.identity();
        if (identity != null) {
            typing.stopAll(connection);
            if (identity.isSalesman()) {
                presence.disconnected(identity, clock.millis());
            }
        }
    }

    /** The v4 handshake {@code auth} payload. A bad token gives the client {@code connect_error} with the code as message. */
    AuthTokenResult onHandshakeAuth(Object authData, SocketIOClient client) {
        Connection connection = registry.get(client);
        if (connection == null) {
            return new AuthTokenResult(false, Map.of("message", "unavailable"));
        }
        Object token = authData instanceof Map<?, ?> map ? map.get("token") : null;
        if (token == null) {
            return AuthTokenResult.AuthTokenResultSuccess; // may still authenticate with the event
        }
        try {
            if (!(token instanceof String s)) {
                throw new TokenException(ErrorCode.INVALID_TOKEN, "token must be a string");
            }
            Identity identity = verify(s);
            admit(connection, identity);
            // netty-socketio queues the CONNECT answer right after this listener returns, on this event loop. Clients
            // buffer events that arrive before CONNECT (and onAny listeners never see them), so `authenticated` is
            // queued behind it: a task on the same event loop runs after the current one.
            Runnable welcome = () -> blocking.execute(() -> welcome(connection, null, true));
            EventExecutor loop = ThreadExecutorMap.currentExecutor();
            if (loop != null) {
                loop.execute(welcome);
            } else {
                welcome.run();
            }
            return AuthTokenResult.AuthTokenResultSuccess;
        } catch (TokenException e) {
            metrics.authFailure(e.code().code());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("code", e.code().code());
            data.put("message", e.getMessage());
            timers.schedule(client::disconnect, CLOSE_DELAY_MS, TimeUnit.MILLISECONDS);
            return new AuthTokenResult(false, Map.of("message", e.code().code(), "data", data));
        }
    }

    /** The {@code authenticate} event. */
    void onAuthenticate(Connection connection, JsonNode payload, AckRequest ack) {
        try {
            if (payload == null || !payload.isObject() || !payload.path("token").isTextual()) {
                throw new TokenException(ErrorCode.INVALID_TOKEN, "payload must be an object with a string token");
            }
            Identity identity = verify(payload.get("token").asText());
            requireClaim(payload, "tenantId", identity.tenantId());
            requireClaim(payload, "salesmanId", identity.salesmanId());
            requireClaim(payload, "userId", identity.userId());
            Identity current = connection.identity();
            if (current != null && !current.sameSubjectAs(identity)) {
                throw new TokenException(ErrorCode.CLAIMS_MISMATCH, "a socket cannot change identity; reconnect instead");
            }
            if (admit(connection, identity)) {
                blocking.execute(() -> welcome(connection, ack, true));
            } else {
                welcome(connection, ack, false);
            }
        } catch (TokenException e) {
            metrics.authFailure(e.code().code());
            refuse(connection, ack, new ApiException(e.code(), e.getMessage()));
        }
    }

    /** A valid token whose salesman or tenant has not been revoked by an operator. */
    private Identity verify(String token) throws TokenException {
        Identity identity = tokens.verify(token);
        var revoked = revocations.revokedUntil(identity);
        if (revoked.isPresent()) {
            throw new TokenException(ErrorCode.INVALID_TOKEN, "access revoked until " + revoked.get());
        }
        return identity;
    }

    private static void requireClaim(JsonNode payload, String field, String claim) throws TokenException {
        JsonNode given = payload.get(field);
        if (given != null && !given.isNull() && !(given.isTextual() && given.asText().equals(claim))) {
            throw new TokenException(ErrorCode.CLAIMS_MISMATCH, field + " does not match the token");
        }
    }

    /**
     * Marks the socket authenticated, joins its rooms and arms the expiry timer; on first authentication also counts
     * it and tells presence. Runs on the socket's event loop, so it is ordered with its disconnect. True when first.
     */
    private boolean admit(Connection connection, Identity identity) {
        boolean first = connection.identity() == null;
        connection.identity(identity);
        connection.cancelAuthTimeout();
        connection.client().joinRooms(Rooms.automatic(identity));
        long untilExpiry = Math.max(0, identity.expiresAt().toEpochMilli() - clock.millis());
        connection.expiry(timers.schedule(() -> {
            LOG.info("token of connection {} expired; disconnecting", connection.id());
            refuse(connection, null, new ApiException(ErrorCode.EXPIRED_TOKEN, "token has expired"));
        }, untilExpiry, TimeUnit.MILLISECONDS));
        if (first) {
            metrics.authenticated(identity.tenantId());
            if (identity.isSalesman()) {
                presence.connected(identity);
            }
        }
        return first;
    }

    /** Tells the client it is in; on first authentication also presence and pending notifications. */
    private void welcome(Connection connection, AckRequest ack, boolean first) {
        Identity identity = connection.identity();
        Map<String, Object> body = Replies.success();
        body.put("sessionId", connection.id());
        body.put("tenantId", identity.tenantId());
        body.put("salesmanId", identity.salesmanId());
        body.put("userId", identity.userId());
        body.put("role", identity.role().wire());
        List<String> rooms = new ArrayList<>(connection.client().getAllRooms());
        rooms.removeIf(String::isEmpty);
        rooms.sort(null);
        body.put("rooms", rooms);
        publisher.toSocket(connection, Events.AUTHENTICATED, body);
        Replies.ack(ack, body);
        if (!first) {
            return;
        }
        if (identity.isSalesman()) {
            try {
                notifications.redeliver(connection);
            } catch (RuntimeException e) {
                LOG.warn("pending notifications of connection {} not redelivered: {}", connection.id(), e.toString());
            }
        }
    }

    /** {@code auth:error} (and the ack), then disconnect. */
    private void refuse(Connection connection, AckRequest ack, ApiException e) {
        Map<String, Object> body = Replies.errorBody(e);
        publisher.toSocket(connection, Events.AUTH_ERROR, body);
        Replies.ack(ack, body);
        timers.schedule(() -> connection.client().disconnect(), CLOSE_DELAY_MS, TimeUnit.MILLISECONDS);
    }
}
