package com.salesmate.realtime.realtime;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.Arrays;
import java.util.List;

/** Settings of the embedded Socket.IO server; every netty-socketio default the service relies on is set from here. */
public class SocketIoFactory {
    @JsonProperty
    @NotNull
    private String host = "0.0.0.0";

    @JsonProperty
    @Min(1)
    @Max(65535)
    private int port = 9092;

    /** Comma-separated Origin allow-list; {@code *} allows any. Handshakes without an Origin are let through. */
    @JsonProperty
    @NotNull
    private String allowedOrigins = "http://localhost:3000";

    @JsonProperty
    @NotNull
    private Duration pingInterval = Duration.seconds(25);

    @JsonProperty
    @NotNull
    private Duration pingTimeout = Duration.seconds(20);

    @JsonProperty
    @NotNull
    private Duration upgradeTimeout = Duration.seconds(10);

    @JsonProperty
    @NotNull
    private Duration firstDataTimeout = Duration.seconds(5);

    @JsonProperty
    @NotNull
    private DataSize maxFramePayload = DataSize.kibibytes(64);

    @JsonProperty
    @NotNull
    private DataSize maxHttpContent = DataSize.kibibytes(64);

    @JsonProperty
    private boolean websocketCompression = false;

    @JsonProperty
    @Min(1)
    private int bossThreads = 1;

    /** 0 means Netty's default (2 x cores). */
    @JsonProperty
    @Min(0)
    private int workerThreads = 0;

    @JsonProperty
    @NotNull
    private Duration authTimeout = Duration.seconds(10);

    @JsonProperty
    @NotNull
    private Duration presenceGrace = Duration.seconds(5);

    @JsonProperty
    @NotNull
    private Duration typingTimeout = Duration.seconds(6);

    /** Events per second per connection (token bucket, burst = rate) for location and typing events. */
    @JsonProperty
    @Min(1)
    private int rateLimitPerSecond = 10;

    public String getHost() {
        return host;
    }

    public int getPort() {
        return port;
    }

    public List<String> getAllowedOrigins() {
        return Arrays.stream(allowedOrigins.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public Duration getPingInterval() {
        return pingInterval;
    }

    public Duration getPingTimeout() {
        return pingTimeout;
    }

    public Duration getUpgradeTimeout() {
        return upgradeTimeout;
    }

    public Duration getFirstDataTimeout() {
        return firstDataTimeout;
    }

    public DataSize getMaxFramePayload() {
        return maxFramePayload;
    }

    public DataSize getMaxHttpContent() {
        return maxHttpContent;
    }

    public boolean isWebsocketCompression() {
        return websocketCompression;
    }

    public int getBossThreads() {
        return bossThreads;
    }

    public int getWorkerThreads() {
        return workerThreads;
    }

    public Duration getAuthTimeout() {
        return authTimeout;
    }

    public Duration getPresenceGrace() {
        return presenceGrace;
    }

    public Duration getTypingTimeout() {
        return typingTimeout;
    }

    public int getRateLimitPerSecond() {
        return rateLimitPerSecond;
    }
}
