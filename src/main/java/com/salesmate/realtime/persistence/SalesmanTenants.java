package com.salesmate.realtime.persistence;

import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Which tenant a salesman id belongs to. The platform issues salesman ids unique across tenants (SPEC 1); this service
 * holds it to that: an id is bound to the first tenant it authenticates in (the {@code salesmen} table, so the binding
 * survives restarts and is shared by a cluster's nodes), and refused in any other, so that no state keyed by salesman
 * (locations' idempotency, presence, last seen) ever mixes two tenants. Bindings are cached (bounded, least recently
 * used out); a binding never changes, so a cached one is never stale. A binding not in the cache is made (or read) by
 * the {@link SalesmanBinder}'s group commit ({@link #bind}), or in a transaction of its own ({@link #bindNow}).
 */
public final class SalesmanTenants {
    private final Jdbi jdbi;
    private final Clock clock;
    private final int capacity;
    private final Map<String, String> cache;
    private final SalesmanBinder binder;

    public SalesmanTenants(Jdbi jdbi, Clock clock, int capacity, SalesmanBinder binder) {
        this.jdbi = jdbi;
        this.binder = binder;
        this.clock = clock;
        this.capacity = capacity;
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > SalesmanTenants.this.capacity;
            }
        };
    }

    /** Fills the cache with the most recently seen salesmen (start-up: a reconnect wave then finds them here). */
    public void warm() {
        var rows = jdbi.withExtension(SalesmanDao.class, dao -> dao.recent(capacity));
        synchronized (cache) {
            for (int i = rows.size() - 1; i >= 0; i--) { // oldest first: the most recent end up most recently used
                cache.put(rows.get(i).salesmanId(), rows.get(i).tenantId());
            }
        }
    }

    /**
     * The tenant {@code salesmanId} belongs to, binding it to {@code tenantId} when it belongs to none yet: at once
     * when cached, else once the binder has committed it (exceptionally, with the database's failure, when its batch
     * failed).
     * Empty when the binder has no room for it now (its queue is full, or it is stopping): then use {@link #bindNow}.
     */
    public Optional<CompletionStage<String>> bind(String tenantId, String salesmanId) {
        String known = cached(salesmanId);
        if (known != null) {
            return Optional.of(CompletableFuture.completedFuture(known));
        }
        return binder.offer(tenantId, salesmanId).map(owner -> owner.thenApply(tenant -> {
            remember(salesmanId, tenant);
            return tenant;
        }));
    }

    /** {@link #bind} on the caller's thread: cached, or a transaction of its own. */
    public String bindNow(String tenantId, String salesmanId) {
        String known = cached(salesmanId);
        if (known != null) {
            return known;
        }
        String owner = jdbi.inTransaction(handle -> {
            SalesmanDao dao = handle.attach(SalesmanDao.class);
            dao.claim(tenantId, salesmanId, clock.millis());
            return dao.find(salesmanId).orElseThrow().tenantId();
        });
        remember(salesmanId, owner);
        return owner;
    }

    /** The tenant {@code salesmanId} is bound to, if any. */
    public Optional<String> owner(String salesmanId) {
        String known = cached(salesmanId);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<String> owner = jdbi.withExtension(SalesmanDao.class, dao -> dao.find(salesmanId))
                .map(SalesmanRow::tenantId);
        owner.ifPresent(t -> remember(salesmanId, t));
        return owner;
    }

    /** True when the binding of {@code salesmanId} is known without the database. */
    public boolean isCached(String salesmanId) {
        return cached(salesmanId) != null;
    }

    private String cached(String salesmanId) {
        synchronized (cache) {
            return cache.get(salesmanId);
        }
    }

    private void remember(String salesmanId, String tenantId) {
        synchronized (cache) {
            cache.put(salesmanId, tenantId);
        }
    }
}
