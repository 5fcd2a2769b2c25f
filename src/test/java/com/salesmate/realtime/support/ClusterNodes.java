package com.salesmate.realtime.support;

import io.dropwizard.testing.ConfigOverride;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Nodes of one test cluster: the real Redis on 127.0.0.1:6379 with a key prefix and adapter channel key of this test
 * alone (so test classes never see each other's traffic), and one database shared by the nodes.
 */
public final class ClusterNodes {
    public static final String REDIS = "redis://127.0.0.1:6379";
    /** A short node timeout, so that the tests of a dead node do not wait the default 10 s. */
    public static final String NODE_TIMEOUT = "3s";

    private final String prefix = "salesmate-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final String redisUrl;

    public ClusterNodes() {
        this(REDIS);
    }

    public ClusterNodes(String redisUrl) {
        this.redisUrl = redisUrl;
    }

    /** A tenant id of one test's own. */
    public static String tenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The key prefix of this cluster's keys in Redis. */
    public String keyPrefix() {
        return prefix;
    }

    /** The adapter channel key a Node.js emitter must use to reach this cluster. */
    public String channelKey() {
        return prefix + "-io";
    }

    /** The stream this cluster's nodes emit through (a Node.js server with the Redis Streams adapter must use it). */
    public String streamName() {
        return prefix + "-stream";
    }

    /** The top-level YAML that makes a child process (ChildService) a node of this cluster. */
    public String childYaml() {
        return """
                redisUrl: %s
                cluster:
                  keyPrefix: %s
                  channelKey: %s
                  streamName: %s
                  nodeTimeout: %s
                """.formatted(redisUrl, keyPrefix(), channelKey(), streamName(), NODE_TIMEOUT);
    }

    /** A node on the shared database. */
    public TestApp node(String databaseUrl, ConfigOverride... extra) {
        List<ConfigOverride> overrides = new ArrayList<>(List.of(
                ConfigOverride.config("redisUrl", redisUrl),
                ConfigOverride.config("cluster.keyPrefix", prefix),
                ConfigOverride.config("cluster.channelKey", channelKey()),
                ConfigOverride.config("cluster.streamName", streamName()),
                ConfigOverride.config("cluster.nodeTimeout", NODE_TIMEOUT)));
        overrides.addAll(List.of(extra));
        return TestApp.clusterNode(databaseUrl, overrides.toArray(ConfigOverride[]::new));
    }
}
