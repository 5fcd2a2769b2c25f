package com.salesmate.realtime.realtime;

import com.corundumstudio.socketio.SocketIOClient;
import com.salesmate.realtime.core.Identity;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * One socket's state. {@link #id()} is the opaque connection id shown to clients and in REST answers; the
 * Engine.IO session id never leaves the server (whoever knows it can post into the session over polling).
 */
public final class Connection {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SocketIOClient client;
    private final String id;
    private final long connectedAt;
    private final RateLimiter rateLimiter;
    private final Map<String, ScheduledFuture<?>> typing = new ConcurrentHashMap<>();
    private volatile Identity identity;
    private volatile ScheduledFuture<?> authTimeout;
    private volatile ScheduledFuture<?> expiry;

    Connection(SocketIOClient client, long connectedAt, RateLimiter rateLimiter) {
        this.client = client;
        this.connectedAt = connectedAt;
        this.rateLimiter = rateLimiter;
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        this.id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public SocketIOClient client() {
        return client;
    }

    public String id() {
        return id;
    }

    public long connectedAt() {
        return connectedAt;
    }

    public String transport() {
        return client.getTransport().name().toLowerCase();
    }

    public Identity identity() {
        return identity;
    }

    public boolean isAuthenticated() {
        return identity != null;
    }

    RateLimiter rateLimiter() {
        return rateLimiter;
    }

    Map<String, ScheduledFuture<?>> typing() {
        return typing;
    }

    void identity(Identity identity) {
        this.identity = identity;
    }

    void authTimeout(ScheduledFuture<?> timeout) {
        this.authTimeout = timeout;
    }

    void cancelAuthTimeout() {
        ScheduledFuture<?> t = authTimeout;
        if (t != null) {
            t.cancel(false);
        }
    }

    void expiry(ScheduledFuture<?> next) {
        ScheduledFuture<?> previous = expiry;
        expiry = next;
        if (previous != null) {
            previous.cancel(false);
        }
    }

    void cancelTimers() {
        cancelAuthTimeout();
        expiry(null);
        typing.values().forEach(f -> f.cancel(false));
    }
}
