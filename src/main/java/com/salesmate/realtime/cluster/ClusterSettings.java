package com.salesmate.realtime.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * Cluster mode ({@code redisUrl} set): where in Redis the nodes keep their shared state, the adapter channel key
 * Node.js emitters must use, and the heartbeat that bounds how long a dead node stays listed.
 */
public class ClusterSettings {
    /** Prefix of every key this service keeps in Redis (a shared Redis can hold several deployments). */
    @JsonProperty
    @NotNull
    @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}")
    private String keyPrefix = "salesmate-realtime";

    /** The Socket.IO Redis adapter's key: channels {@code <key>#/#} and {@code <key>#/#<room>#}. */
    @JsonProperty
    @NotNull
    @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}")
    private String channelKey = AdapterCodec.DEFAULT_KEY;

    /**
     * The Redis stream the nodes' emits go through, in the format of Socket.IO's Redis Streams adapter. Empty (the
     * default): {@code <keyPrefix>:stream}, so that deployments sharing a Redis under different prefixes never read
     * each other's emits; a Node.js server with that adapter joins with this name as its {@code streamName}.
     */
    @JsonProperty
    @Pattern(regexp = "|[A-Za-z0-9._:#-]{1,64}")
    private String streamName = ""; // null (an empty YAML value, an unset REDIS_STREAM_NAME) is the default too

    /** How often a node renews its heartbeat and runs the cluster's housekeeping. */
    @JsonProperty
    @NotNull
    private Duration heartbeatInterval = Duration.milliseconds(500);

    /**
     * A node whose heartbeat is older than this is presumed dead: its sockets leave every listing and its salesmen
     * go offline. With the default interval, a killed node is gone within 10.5 s.
     */
    @JsonProperty
    @NotNull
    private Duration nodeTimeout = Duration.seconds(10);

    /** Bound on every Redis command; past it the command counts as failed (Redis unreachable). */
    @JsonProperty
    @NotNull
    private Duration commandTimeout = Duration.seconds(2);

    public String getKeyPrefix() {
        return keyPrefix;
    }

    public String getChannelKey() {
        return channelKey;
    }

    /** The stream's key: as configured, else under the key prefix. */
    public String getStreamName() {
        return streamName == null || streamName.isEmpty() ? keyPrefix + ":stream" : streamName;
    }

    public java.time.Duration heartbeatInterval() {
        return heartbeatInterval.toJavaDuration();
    }

    public java.time.Duration nodeTimeout() {
        return nodeTimeout.toJavaDuration();
    }

    public java.time.Duration commandTimeout() {
        return commandTimeout.toJavaDuration();
    }

    @jakarta.validation.constraints.AssertTrue(message = "nodeTimeout must be at least three heartbeat intervals")
    public boolean isTimeoutAboveHeartbeat() {
        return nodeTimeout.toMilliseconds() >= 3 * heartbeatInterval.toMilliseconds();
    }
}
