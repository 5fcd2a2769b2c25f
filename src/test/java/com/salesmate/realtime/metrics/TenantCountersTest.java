package com.salesmate.realtime.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-tenant counters are bounded: past the cap a new tenant is counted in the node's totals only. */
class TenantCountersTest {
    @Test
    void theMapOfTenantsStopsGrowingAtItsCapAndKnownTenantsKeepCounting() {
        TenantCounters counters = new TenantCounters();
        for (int i = 0; i < TenantCounters.MAX_TENANTS + 500; i++) {
            counters.connected("t" + i);
        }
        assertThat(counters.all()).hasSize(TenantCounters.MAX_TENANTS);
        counters.connected("t7");
        assertThat(counters.of("t7").connections()).isEqualTo(2);
        assertThat(counters.all()).doesNotContainKey("t" + (TenantCounters.MAX_TENANTS + 1));
    }
}
