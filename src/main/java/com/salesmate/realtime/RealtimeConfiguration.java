package com.salesmate.realtime;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.salesmate.realtime.auth.AuthFactory;
import com.salesmate.realtime.console.ConsoleFactory;
import com.salesmate.realtime.persistence.DatabaseFactory;
import com.salesmate.realtime.socketio.SocketIoFactory;
import io.dropwizard.core.Configuration;
import io.dropwizard.util.Duration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** The service's configuration (config.yml); every deploy-time value comes from the environment with a default. */
public class RealtimeConfiguration extends Configuration {

    /** The group-commit location writer. */
    public static class LocationsFactory {
        @JsonProperty
        @Min(1)
        public int queueCapacity = 20_000;

        @JsonProperty
        @Min(1)
        @Max(5_000)
        public int maxBatch = 500;

        /** Queue depth above which the writer's health check fails. */
        @JsonProperty
        @Min(1)
        public int highWaterMark = 15_000;
    }

    /** Durable notifications. */
    public static class NotificationsFactory {
        @JsonProperty
        @NotNull
        public Duration ttl = Duration.days(7);

        @JsonProperty
        @NotNull
        public Duration purgeInterval = Duration.hours(1);
    }

    /** Customer sites and visits (SPEC 10). */
    public static class VisitsFactory {
        /** Sites one tenant may have (each node holds every tenant's sites in memory). */
        @JsonProperty
        @Min(1)
        @Max(1_000_000)
        public int maxSitesPerTenant = 50_000;

        /** How often a node compares the stored sites' versions with its own: the bound on another node's change. */
        @JsonProperty
        @NotNull
        public Duration siteRefresh = Duration.seconds(2);
    }

    /** Webhooks (SPEC 10). */
    public static class WebhooksFactory {
        /** Let endpoints be loopback or private addresses (off: an SSRF guard). */
        @JsonProperty
        public boolean allowPrivate = false;

        /** Bound on one delivery (connect and answer). */
        @JsonProperty
        @NotNull
        public Duration timeout = Duration.seconds(10);

        /** Deliveries in flight at once on a node. */
        @JsonProperty
        @Min(1)
        @Max(64)
        public int senders = 4;
    }

    @JsonProperty
    @NotNull
    private String dataDir = "data";

    /** Unset: single node. */
    @JsonProperty
    private String redisUrl = "";

    @JsonProperty
    @Valid
    @NotNull
    private com.salesmate.realtime.cluster.ClusterSettings cluster = new com.salesmate.realtime.cluster.ClusterSettings();

    @JsonProperty
    @NotNull
    private Duration shutdownTimeout = Duration.seconds(30);

    @JsonProperty
    @Valid
    @NotNull
    private DatabaseFactory database = new DatabaseFactory();

    @JsonProperty
    @Valid
    @NotNull
    private SocketIoFactory socketio = new SocketIoFactory();

    @JsonProperty
    @Valid
    @NotNull
    private AuthFactory auth = new AuthFactory();

    @JsonProperty
    @Valid
    @NotNull
    private LocationsFactory locations = new LocationsFactory();

    @JsonProperty
    @Valid
    @NotNull
    private NotificationsFactory notifications = new NotificationsFactory();

    @JsonProperty
    @Valid
    @NotNull
    private ConsoleFactory console = new ConsoleFactory();

    @JsonProperty
    @Valid
    @NotNull
    private VisitsFactory visits = new VisitsFactory();

    @JsonProperty
    @Valid
    @NotNull
    private WebhooksFactory webhooks = new WebhooksFactory();

    public String getDataDir() {
        return dataDir;
    }

    public String getRedisUrl() {
        return redisUrl;
    }

    public com.salesmate.realtime.cluster.ClusterSettings getCluster() {
        return cluster;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public DatabaseFactory getDatabase() {
        return database;
    }

    public SocketIoFactory getSocketio() {
        return socketio;
    }

    public AuthFactory getAuth() {
        return auth;
    }

    public LocationsFactory getLocations() {
        return locations;
    }

    public NotificationsFactory getNotifications() {
        return notifications;
    }

    public ConsoleFactory getConsole() {
        return console;
    }

    public VisitsFactory getVisits() {
        return visits;
    }

    public WebhooksFactory getWebhooks() {
        return webhooks;
    }
}
