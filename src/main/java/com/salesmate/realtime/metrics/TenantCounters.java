package com.salesmate.realtime.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-tenant totals behind a tenant credential's {@code /stats}. Kept beside the metric registry rather than in it
 * so that Prometheus does not get one series per tenant; incremented at the same call sites as the global meters.
 */
public class TenantCounters {

    /** The three totals of one tenant. */
    public static final class Totals {
        final LongAdder connections = new LongAdder();
        final LongAdder sent = new LongAdder();
        final LongAdder received = new LongAdder();

        public long connections() {
            return connections.sum();
        }

        public long sent() {
            return sent.sum();
        }

        public long received() {
            return received.sum();
        }
    }

    private final Map<String, Totals> byTenant = new ConcurrentHashMap<>();
    /** Counts of tenants past {@link #MAX_TENANTS}: in the node's totals, not kept per tenant. */
    private final Totals untracked = new Totals();
    /** The most tenants counted one by one (an admin key may emit to any tenant id: the map must not grow without end). */
    static final int MAX_TENANTS = 100_000;

    public Totals of(String tenantId) {
        Totals t = byTenant.get(tenantId);
        if (t != null) {
            return t;
        }
        return byTenant.size() >= MAX_TENANTS ? untracked : byTenant.computeIfAbsent(tenantId, x -> new Totals());
    }

    /** Every tenant counted so far on this node. */
    public Map<String, Totals> all() {
        return java.util.Collections.unmodifiableMap(byTenant);
    }

    void connected(String tenantId) {
        of(tenantId).connections.increment();
    }

    void sent(String tenantId, long n) {
        of(tenantId).sent.add(n);
    }

    void received(String tenantId) {
        of(tenantId).received.increment();
    }
}
