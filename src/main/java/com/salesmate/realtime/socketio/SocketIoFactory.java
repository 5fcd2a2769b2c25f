package com.salesmate.realtime.socketio;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.salesmate.realtime.hub.Fanout;
import com.salesmate.realtime.hub.HubSettings;
import com.salesmate.realtime.hub.WriteBacklog;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Settings of the embedded Socket.IO server and its limits; every netty-socketio default the service relies on is set from here. */
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

    /** Largest websocket message (as Node's maxHttpBufferSize, 1 MB): a full 500-point location:batch fits. */
    @JsonProperty
    @NotNull
    private DataSize maxFramePayload = DataSize.megabytes(1);

    /** Largest polling request body. */
    @JsonProperty
    @NotNull
    private DataSize maxHttpContent = DataSize.megabytes(1);

    /** Bytes queued for one socket (library queue and Netty's outbound buffer) past which it is a slow consumer. */
    @JsonProperty
    @NotNull
    private DataSize maxQueuedPerSocket = DataSize.mebibytes(2);

    /** Sockets on this node; past it handshakes get 503. */
    @JsonProperty
    @Min(1)
    private int maxConnections = 10_000;

    /**
     * Sockets from one client address; past it handshakes get 429. Mobile carriers put thousands of phones behind one
     * address (carrier-grade NAT): this stops abuse, not fleets.
     */
    @JsonProperty
    @Min(1)
    private int maxConnectionsPerAddress = 5000;

    /** Handshakes per second from one address, refilling a bucket of {@link #handshakeBurstPerAddress}; past it 429. */
    @JsonProperty
    @Min(1)
    private int handshakesPerAddressPerSecond = 100;

    /** Handshakes one address may make at once: a NAT'ed fleet reconnecting together after a blip. */
    @JsonProperty
    @Min(1)
    private int handshakeBurstPerAddress = 1000;

    /** How long a closing session may take to flush its last packets before the transport is cut. */
    @JsonProperty
    @NotNull
    private Duration closeTimeout = Duration.seconds(1);

    /** Comma-separated addresses of proxies whose X-Forwarded-For names the client (e.g. the load balancer's). */
    @JsonProperty
    @NotNull
    private String trustedProxies = "";

    /** Queue of the executor that runs database work for socket events; full: the event gets unavailable. */
    @JsonProperty
    @Min(1)
    private int blockingQueueCapacity = 2_000;

    @JsonProperty
    private boolean websocketCompression = false;

    /** Netty's native epoll transport where it is available (Linux x86-64); NIO elsewhere or when false. */
    @JsonProperty
    private boolean nativeTransport = true;

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

    /** {@code authenticate}, {@code notification:ack} and namespace CONNECTs: their own bucket, per connection. */
    @JsonProperty
    @Min(1)
    private int controlEventsPerSecond = 100;

    @JsonProperty
    @Min(1)
    private int controlEventBurst = 1000;

    /** {@code join:*}: their own bucket, per connection, and a cap on the rooms a socket is in. */
    @JsonProperty
    @Min(1)
    private int joinsPerSecond = 50;

    @JsonProperty
    @Min(1)
    private int joinBurst = 200;

    @JsonProperty
    @Min(1)
    private int maxRoomsPerSocket = 500;

    /**
     * Connection state recovery: how long a dropped socket may come back and get what it missed (0 turns it off), and
     * the most events the node keeps for it.
     */
    @NotNull
    private Duration recoveryWindow = Duration.minutes(2);

    @JsonProperty
    @Min(1)
    private int recoveryMaxEvents = 100_000;

    /**
     * Emit backpressure: socket writes queued on the event loops (fan-outs handed to them, not yet written) past which
     * a REST emit waits for the loops to catch up before it is carried out.
     */
    @JsonProperty
    @Min(1)
    private int maxEmitBacklog = 10_000;

    /**
     * How long a REST emit waits for room under {@link #maxEmitBacklog}; then it is answered 503, nothing sent. Keep it
     * under the callers' own timeouts (an emit carried out after its caller gave up is sent again by a retry).
     */
    @JsonProperty
    @NotNull
    @MaxDuration(value = 30, unit = TimeUnit.SECONDS)
    private Duration emitBacklogWait = Duration.seconds(5);

    /** REST emits held at once (each waits on an HTTP thread); past it an emit is refused 503 at once. */
    @JsonProperty
    @Min(1)
    @Max(1_000)
    private int maxHeldEmits = 64;

    public String getHost() {
        return host;
    }

    public int getPort() {
        return port;
    }

    /** The allow-list as a list (not a bean getter: a config override must see the property as the string it is). */
    public List<String> allowedOriginList() {
        return split(allowedOrigins);
    }

    private static List<String> split(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
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

    public DataSize getMaxQueuedPerSocket() {
        return maxQueuedPerSocket;
    }

    public int getMaxConnections() {
        return maxConnections;
    }

    public int getMaxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    public int getHandshakesPerAddressPerSecond() {
        return handshakesPerAddressPerSecond;
    }

    public int getHandshakeBurstPerAddress() {
        return handshakeBurstPerAddress;
    }

    public Duration getCloseTimeout() {
        return closeTimeout;
    }

    /** The trusted proxies as a list (not a bean getter, as {@link #allowedOriginList()}). */
    public List<String> trustedProxyList() {
        return split(trustedProxies);
    }

    public int getBlockingQueueCapacity() {
        return blockingQueueCapacity;
    }

    /** {@code 0} (no unit) turns recovery off, as the SPEC's RECOVERY_WINDOW=0; otherwise a duration such as 2m. */
    @JsonProperty("recoveryWindow")
    void setRecoveryWindow(String window) {
        recoveryWindow = window.trim().equals("0") ? Duration.seconds(0) : Duration.parse(window);
    }

    @JsonProperty("recoveryWindow")
    String getRecoveryWindowText() {
        return recoveryWindow.toString();
    }

    /** The hub's share of these settings. */
    public HubSettings hubSettings(java.time.Duration notificationTtl) {
        return new HubSettings(authTimeout.toJavaDuration(), presenceGrace.toJavaDuration(),
                typingTimeout.toJavaDuration(), rateLimitPerSecond, notificationTtl,
                new HubSettings.Limits(controlEventsPerSecond, controlEventBurst, joinsPerSecond, joinBurst,
                        maxRoomsPerSocket), recoveryWindow.toJavaDuration(), recoveryMaxEvents);
    }

    /**
     * The edge's writer of one emit to many sockets, for the hub; each fan-out timed on {@code metrics} and its writes
     * counted on {@code backlog} until the loops have written them.
     */
    public Fanout fanout(com.salesmate.realtime.metrics.SocketMetrics metrics, WriteBacklog backlog) {
        return new EdgeFanout(EdgeLimits.from(this).maxSharedFrame(), metrics.fanoutTimer(), backlog);
    }

    /** The node's emit backpressure, bounded at {@link #maxEmitBacklog}. */
    public WriteBacklog writeBacklog() {
        return new WriteBacklog(maxEmitBacklog);
    }

    public Duration getEmitBacklogWait() {
        return emitBacklogWait;
    }

    public int getMaxHeldEmits() {
        return maxHeldEmits;
    }

    public boolean isWebsocketCompression() {
        return websocketCompression;
    }

    public boolean isNativeTransport() {
        return nativeTransport;
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
