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

    /** Hears each revocation made here (the cluster shares it with the other nodes). */
    public interface Listener {
        void revoked(String kind, String id, Instant until);
    }

    private final Clock clock;
    private volatile Listener listener = (kind, id, until) -> { };

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

    private Instant revoke(String kind, String id, Instant until) {
        restore(kind, id, until);
        listener.revoked(kind, id, until);
        return until;
    }

    /** A revocation made elsewhere (another node): in force here too, not told again. */
    public void restore(String kind, String id, Instant until) {
        Map<String, Instant> map = SALESMAN.equals(kind) ? salesmen : TENANT.equals(kind) ? tenants : null;
        if (map == null) {
            throw new IllegalArgumentException("unknown revocation kind " + kind);
        }
        map.merge(id, until, (a, b) -> a.isAfter(b) ? a : b);
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
