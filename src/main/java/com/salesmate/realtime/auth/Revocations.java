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
 * that a revoked device or tenant cannot simply reconnect before its tokens expire. Kept in memory on this node: a
 * restart forgets it, so the bound should cover the lifetime of the tokens already issued.
 */
public class Revocations {
    private final Map<String, Instant> salesmen = new ConcurrentHashMap<>();
    private final Map<String, Instant> tenants = new ConcurrentHashMap<>();
    private final Clock clock;

    public Revocations(Clock clock) {
        this.clock = clock;
    }

    public Instant revokeSalesman(String salesmanId, Duration duration) {
        return revoke(salesmen, salesmanId, duration);
    }

    public Instant revokeTenant(String tenantId, Duration duration) {
        return revoke(tenants, tenantId, duration);
    }

    private Instant revoke(Map<String, Instant> map, String id, Duration duration) {
        Instant until = clock.instant().plus(duration);
        map.merge(id, until, (a, b) -> a.isAfter(b) ? a : b);
        return until;
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
