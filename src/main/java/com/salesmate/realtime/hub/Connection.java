package com.salesmate.realtime.hub;

import com.salesmate.realtime.core.Identity;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One client socket as the hub sees it: identity, transport, rooms, {@link #send} and {@link #close}. {@link #id()} is
 * the opaque connection id shown to clients and in REST answers; the Engine.IO session id stays inside the edge
 * (whoever knows it can post into the session over polling).
 */
public final class Connection {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Link link;
    private volatile String id;
    /** The private session id of connection state recovery; null when recovery is off or before CONNECT. */
    private volatile String pid;
    /** A dropped socket this one takes over at its CONNECT answer; null for a fresh one. */
    private volatile Recovery.Saved recovering;
    /** Log position this socket was replayed up to: live events at or below it are not sent again. */
    private volatile long replayedUpTo = -1;
    /** Log position when this socket connected: without an offset, its gap starts here. */
    private volatile long since;
    private final long connectedAt;
    private final Buckets buckets;
    private final Consumer<Connection> onClose;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final AtomicReference<DisconnectReason> closed = new AtomicReference<>();
    private volatile Identity identity;
    private volatile ScheduledFuture<?> authTimeout;
    private volatile ScheduledFuture<?> expiry;
    /** {@code System.nanoTime()} when its CONNECT packet reached the hub; 0 before. */
    private volatile long connectArrivedAt;

    /** The per-connection token buckets, one per {@link Limit}. */
    record Buckets(RateLimiter location, RateLimiter control, RateLimiter joins) {
        RateLimiter of(Limit limit) {
            return switch (limit) {
                case LOCATION -> location;
                case CONTROL -> control;
                case JOIN -> joins;
            };
        }
    }

    /** Which bucket an event draws from. */
    enum Limit { LOCATION, CONTROL, JOIN }

    Connection(Link link, long connectedAt, Buckets buckets, Consumer<Connection> onClose) {
        this.link = link;
        this.connectedAt = connectedAt;
        this.buckets = buckets;
        this.onClose = onClose;
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        this.id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public String id() {
        return id;
    }

    public long connectedAt() {
        return connectedAt;
    }

    public String transport() {
        return link.transport();
    }

    public Identity identity() {
        return identity;
    }

    public boolean isAuthenticated() {
        return identity != null;
    }

    public boolean isOpen() {
        return closed.get() == null;
    }

    /** Why the session ended; null while open. */
    public DisconnectReason closeReason() {
        return closed.get();
    }

    /** Rooms this socket is in (a view). */
    public Set<String> rooms() {
        return java.util.Collections.unmodifiableSet(rooms);
    }

    /** Takes one token from the joins' bucket for a CONNECT to a namespace (a join of sorts). */
    public boolean tryAcquireNamespaceConnect() {
        return tryAcquire(Limit.JOIN);
    }

    /** Takes one token from this connection's bucket for {@code limit}. */
    boolean tryAcquire(Limit limit) {
        return buckets.of(limit).tryAcquire(System.nanoTime());
    }

    /** Queues an event for this client; false when the session is closed or the edge refused it. */
    public boolean send(OutboundEvent event) {
        return isOpen() && link.send(event);
    }

    /**
     * The server's decision to end this session: the hub forgets the socket at once (registry, rooms, presence,
     * timers), the client is told, and the edge closes the transport within a bound. Later events are not handled.
     */
    public void close(DisconnectReason reason) {
        end(reason, true);
    }

    /** The client or its transport ended the session: the same clean-up, without telling a client that is gone. */
    public void closed(DisconnectReason reason) {
        end(reason, false);
    }

    private void end(DisconnectReason reason, boolean notify) {
        if (closed.compareAndSet(null, reason)) {
            onClose.accept(this);
        }
        link.close(reason, notify);
    }

    /** The edge's side of this socket. */
    public Link link() {
        return link;
    }

    /** The private session id the CONNECT answer carries ({@code pid}); null without recovery. */
    public String pid() {
        return pid;
    }

    void pid(String pid, long since) {
        this.pid = pid;
        this.since = since;
    }

    long since() {
        return since;
    }

    /** Takes over a dropped socket: its id and pid now; rooms and identity when the CONNECT answer has gone. */
    void recovering(Recovery.Saved saved) {
        this.id = saved.connectionId();
        this.pid = saved.pid();
        this.recovering = saved;
    }

    Recovery.Saved recovering() {
        return recovering;
    }

    /** True when this socket takes over a dropped one: it gets its identity and rooms back once answered. */
    public boolean isRecovering() {
        return recovering != null;
    }

    void connectArrived(long nanoTime) {
        this.connectArrivedAt = nanoTime;
    }

    long connectArrivedAt() {
        return connectArrivedAt;
    }

    /** True when a live event at {@code position} was in this socket's replay already. */
    boolean replayed(long position) {
        return position >= 0 && position <= replayedUpTo;
    }

    public void replayedUpTo(long position) {
        this.replayedUpTo = position;
    }

    void ack(long ackId, String json) {
        if (isOpen()) {
            link.ack(ackId, json);
        }
    }

    Set<String> roomSet() {
        return rooms;
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
    }
}
