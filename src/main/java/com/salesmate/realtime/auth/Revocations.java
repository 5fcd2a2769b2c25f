package com.salesmate.realtime.auth;

import com.salesmate.realtime.core.Identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Salesmen and tenants whose still-valid tokens are refused for a while, set by the admin {@code disconnect} task so
 * that a revoked device or tenant cannot simply reconnect before its tokens expire. Kept in memory on each node (in a
 * cluster, also in Redis and told to every node); a single node forgets them on restart, so the bound should cover the
 * lifetime of the tokens already issued.
 */
public class Revocations {
    private final Map<String, Instant> salesmen = new ConcurrentHashMap<>();
    private final Map<String, Instant> tenants = new ConcurrentHashMap<>();
    public static final String SALESMAN = "salesman";
    public static final String TENANT = "tenant";

    /**
     * Hears each revocation made here (the cluster stores it in Redis and tells the other nodes); completes when it is
     * shared, exceptionally when it could not be.
     */
    public interface Listener {
        java.util.concurrent.CompletionStage<?> revoked(String kind, String id, Instant until);
    }

    /** A revocation in force on this node that could not be shared with the others (Redis refused or is down). */
    public static final class NotShared extends RuntimeException {
        public NotShared(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** How long a revocation waits to be shared before it is reported as not shared. */
    static final Duration SHARE_TIMEOUT = Duration.ofSeconds(5);

    private final Clock clock;
    private volatile Listener listener = (kind, id, until) -> java.util.concurrent.CompletableFuture.completedFuture(null);

    public Revocations(Clock clock) {
        this.clock = clock;
    }

    public void listen(Listener listener) {
        this.listener = listener;
    }

    public Instant revokeSalesman(String salesmanId, Duration duration) {
        return revoke(SALESMAN, salesmanId, clock.instant().plus(duration));
    }

    public Instant revokeTenant(String tenantId, Duration duration) {
        return revoke(TENANT, tenantId, clock.instant().plus(duration));
    }

    /** In force here at once; then shared, waiting for that: {@link NotShared} when the cluster did not take it. */
    private Instant revoke(String kind, String id, Instant until) {
        restore(kind, id, until);
        try {
            listener.revoked(kind, id, until).toCompletableFuture()
                    .get(SHARE_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotShared("interrupted while sharing the revocation", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new NotShared(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        }
        return until;
    }

    /** A revocation made elsewhere (another node): in force here too, not told again. */
    public void restore(String kind, String id, Instant until) {
        Map<String, Instant> map = SALESMAN.equals(kind) ? salesmen : TENANT.equals(kind) ? tenants : null;
        if (map == null) {
            throw new IllegalArgumentException("unknown revocation kind " + kind);
        }
        if (!until.isAfter(clock.instant())) {
            return; // already over
        }
        if (map.size() >= MAX_EACH && !map.containsKey(id)) {
            Instant now = clock.instant();
            map.values().removeIf(u -> !u.isAfter(now)); // ended ones make room
        }
        map.merge(id, until, (a, b) -> a.isAfter(b) ? a : b);
    }

    /**
     * The most revocations of one kind kept before ended ones are swept at the next one; revocations in force are
     * always kept (an operator's decision is never dropped).
     */
    static final int MAX_EACH = 10_000;

    /** Revocations kept now, of both kinds (ended ones may linger until swept). */
    int kept() {
        return salesmen.size() + tenants.size();
    }

    /** Until when this identity's tokens are refused, if they are. */
    public Optional<Instant> revokedUntil(Identity identity) {
        Optional<Instant> tenant = tenantRevokedUntil(identity.tenantId());
        if (tenant.isPresent() || identity.salesmanId() == null) {
            return tenant;
        }
        return active(salesmen, identity.salesmanId());
    }

    public Optional<Instant> tenantRevokedUntil(String tenantId) {
        return active(tenants, tenantId);
    }

    private Optional<Instant> active(Map<String, Instant> map, String id) {
        Instant until = map.get(id);
        if (until == null) {
            return Optional.empty();
        }
        if (!until.isAfter(clock.instant())) {
            map.remove(id, until);
            return Optional.empty();
        }
        return Optional.of(until);
    }
}
