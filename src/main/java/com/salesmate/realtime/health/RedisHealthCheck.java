package com.salesmate.realtime.health;

import com.codahale.metrics.health.HealthCheck;
import com.salesmate.realtime.cluster.ClusterNode;

/** Cluster mode: unhealthy while the node cannot reach Redis (it still serves its own sockets), saying why. */
public class RedisHealthCheck extends HealthCheck {
    private final ClusterNode node;

    public RedisHealthCheck(ClusterNode node) {
        this.node = node;
    }

    @Override
    protected Result check() {
        String problem = node.problem();
        return problem == null ? Result.healthy(node.summary()) : Result.unhealthy(problem);
    }
}
