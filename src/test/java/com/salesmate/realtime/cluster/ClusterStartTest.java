package com.salesmate.realtime.cluster;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.auth.Revocations;
import com.salesmate.realtime.support.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node does not join a cluster whose Redis it cannot reach: it refuses to start and says where it looked. */
@Timeout(30)
class ClusterStartTest {

    @Test
    void aNodeWhoseRedisIsUnreachableRefusesToStartSayingWhere() {
        int closed = TestApp.freePort(); // nothing listens there
        ClusterNode node = new ClusterNode(new ClusterSettings(), "redis://:secret@127.0.0.1:" + closed + "/2",
                1 << 20, new Revocations(Clock.systemUTC()), new MetricRegistry(), new ObjectMapper(),
                "cluster-test-secret-0123456789"); // builds without connecting: Redis is reached in start()
        assertThatThrownBy(node::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Redis at redis://127.0.0.1:" + closed + "/2 is unreachable")
                .hasMessageNotContaining("secret");
    }
}
