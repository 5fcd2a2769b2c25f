package com.salesmate.realtime.socketio;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-address handshake buckets are bounded: a flood of new addresses never grows the table past its cap. */
class EdgeSessionsTest {
    @Test
    void aFloodOfNewAddressesNeverGrowsTheTablePastItsCap() {
        // one handshake a second, no burst: a bucket just used stays in use for a second
        EdgeSessions sessions = new EdgeSessions(new EdgeLimits(10_000, 5_000, 1, 1, 1 << 20, 1_000, 1 << 20,
                1 << 20, 45_000_000_000L, 10_000));
        int admitted = 0;
        for (int i = 0; i < EdgeSessions.MAX_TRACKED + 5_000; i++) {
            if (sessions.allowHandshake("a" + i)) {
                admitted++;
            }
            assertThat(sessions.trackedAddresses()).isLessThanOrEqualTo(EdgeSessions.MAX_TRACKED);
        }
        // below the cap every new address was served; past it, only as buckets refilled and were forgotten
        assertThat(admitted).isGreaterThanOrEqualTo(EdgeSessions.MAX_TRACKED);
        assertThat(sessions.trackedAddresses()).isLessThanOrEqualTo(EdgeSessions.MAX_TRACKED);
    }
}
