package com.salesmate.realtime.socketio;

import com.salesmate.realtime.hub.RateLimiter;

import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Engine.IO sessions of this node by session id, and the node's admission limits: sockets per node, sockets per
 * client address (both reserved before the library creates a session, so concurrent handshakes cannot overshoot) and
 * the handshake rate per address.
 */
final class EdgeSessions {
    /** A slot counted against the node and an address; released once when its session ends or never forms. */
    final class Slot {
        private final String address;
        private boolean released;

        private Slot(String address) {
            this.address = address;
        }

        String address() {
            return address;
        }

        synchronized void release() {
            if (released) {
                return;
            }
            released = true;
            total.decrementAndGet();
            perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    private final Map<UUID, EdgeSession> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final Map<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final Map<String, RateLimiter> handshakeRates = new ConcurrentHashMap<>();
    /** Most addresses whose handshake bucket is kept. */
    static final int MAX_TRACKED = 100_000;
    private final AtomicLong lastPrune = new AtomicLong(System.nanoTime() - 2_000_000_000L);
    private final EdgeLimits limits;

    EdgeSessions(EdgeLimits limits) {
        this.limits = limits;
    }

    /**
     * Admits a new session from {@code address}: a handshake token of the address's bucket, then a slot counted against
     * the node and the address (reserved before the library makes a session, so concurrent handshakes cannot
     * overshoot).
     */
    Admission admit(String address) {
        if (!allowHandshake(address)) {
            return new Admission.Refused(Refusal.HANDSHAKE_RATE);
        }
        return reserve(address);
    }

    /**
     * Takes a handshake token of the address's bucket. The table of buckets is bounded: at {@link #MAX_TRACKED}
     * addresses the refilled ones are forgotten first (a refilled bucket is the same as none); if every one is still
     * in use, the handshake is refused (an address flood), never the table grown.
     */
    boolean allowHandshake(String address) {
        long now = System.nanoTime();
        RateLimiter bucket = handshakeRates.get(address);
        if (bucket == null) {
            if (handshakeRates.size() >= MAX_TRACKED) {
                long last = lastPrune.get();
                if (now - last > 1_000_000_000L && lastPrune.compareAndSet(last, now)) {
                    pruneHandshakeRates(); // at most once a second: a flood of new addresses never pays a scan each
                }
                if (handshakeRates.size() >= MAX_TRACKED) {
                    return false;
                }
            }
            bucket = handshakeRates.computeIfAbsent(address, a -> new RateLimiter(
                    limits.handshakesPerAddressPerSecond(), limits.handshakeBurstPerAddress(), now));
        }
        return bucket.tryAcquire(now);
    }

    /** Forgets handshake buckets that have refilled (so the map holds only recently active addresses). */
    void pruneHandshakeRates() {
        long now = System.nanoTime();
        handshakeRates.values().removeIf(bucket -> bucket.isFull(now));
    }

    /** Addresses whose handshake bucket is kept now. */
    int trackedAddresses() {
        return handshakeRates.size();
    }

    /** Reserves a slot for a new session from {@code address}, or says which limit refuses it. */
    Admission reserve(String address) {
        if (total.incrementAndGet() > limits.maxConnections()) {
            total.decrementAndGet();
            return new Admission.Refused(Refusal.NODE_FULL);
        }
        AtomicInteger mine = perAddress.compute(address, (a, n) -> {
            AtomicInteger counter = n == null ? new AtomicInteger() : n;
            counter.incrementAndGet();
            return counter;
        });
        if (mine.get() > limits.maxConnectionsPerAddress()) {
            perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
            total.decrementAndGet();
            return new Admission.Refused(Refusal.ADDRESS_FULL);
        }
        return new Admission.Admitted(new Slot(address));
    }

    void add(EdgeSession session) {
        sessions.put(session.sessionId(), session);
    }

    EdgeSession get(UUID sessionId) {
        return sessions.get(sessionId);
    }

    /** The session of an Engine.IO sid as a client wrote it; null when unknown or not a session id at all. */
    EdgeSession get(String sid) {
        try {
            return sid == null ? null : sessions.get(UUID.fromString(sid));
        } catch (IllegalArgumentException notAnId) {
            return null;
        }
    }

    /** Takes the session out of the table (its sid is unknown from now on) and frees its slot. */
    void remove(EdgeSession session) {
        if (sessions.remove(session.sessionId(), session)) {
            session.slot().release();
        }
    }

    Collection<EdgeSession> all() {
        return sessions.values();
    }

    int size() {
        return sessions.size();
    }
}
