package com.salesmate.realtime;

import com.salesmate.realtime.api.StrictJson;
import com.salesmate.realtime.auth.ApiKeys;
import com.salesmate.realtime.auth.Caller;
import com.salesmate.realtime.auth.CallerAuthenticator;
import com.salesmate.realtime.auth.Revocations;
import com.salesmate.realtime.auth.SecretStore;
import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.cli.DbCommand;
import com.salesmate.realtime.cluster.ClusterNode;
import com.salesmate.realtime.cli.TokenCommand;
import com.salesmate.realtime.console.ConsoleConfigServlet;
import com.salesmate.realtime.console.ConsoleFilter;
import com.salesmate.realtime.core.Webhook;
import com.salesmate.realtime.health.HealthGauges;
import com.salesmate.realtime.health.LocationWriterHealthCheck;
import com.salesmate.realtime.health.RedisHealthCheck;
import com.salesmate.realtime.health.SocketIoHealthCheck;
import com.salesmate.realtime.metrics.DatabaseGauges;
import com.salesmate.realtime.metrics.PrometheusExport;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.metrics.TenantCounters;
import com.salesmate.realtime.persistence.DatabaseFactory;
import com.salesmate.realtime.persistence.LocationWriter;
import com.salesmate.realtime.persistence.WalCheckpointer;
import com.salesmate.realtime.persistence.Migrations;
import com.salesmate.realtime.persistence.SalesmanBinder;
import com.salesmate.realtime.persistence.SalesmanTenants;
import com.salesmate.realtime.persistence.SightingRecorder;
import com.salesmate.realtime.hub.Authenticator;
import com.salesmate.realtime.hub.BlockingWork;
import com.salesmate.realtime.hub.Events;
import com.salesmate.realtime.hub.Reach;
import com.salesmate.realtime.hub.RealtimeHub;
import com.salesmate.realtime.hub.WriteBacklog;
import com.salesmate.realtime.resources.ApiExceptionMapper;
import com.salesmate.realtime.resources.BodyLimitFilter;
import com.salesmate.realtime.resources.EmitAdmission;
import com.salesmate.realtime.resources.EmitResource;
import com.salesmate.realtime.resources.HealthResource;
import com.salesmate.realtime.resources.JsonErrorHandler;
import com.salesmate.realtime.resources.JsonExceptionMapper;
import com.salesmate.realtime.resources.JsonUnauthorizedHandler;
import com.salesmate.realtime.resources.SalesmanResource;
import com.salesmate.realtime.resources.SiteResource;
import com.salesmate.realtime.resources.WebhookResource;
import com.salesmate.realtime.resources.StatsResource;
import com.salesmate.realtime.resources.TenantResource;
import com.salesmate.realtime.resources.UnexpectedExceptionMapper;
import com.salesmate.realtime.resources.ValidationExceptionMapper;
import com.salesmate.realtime.resources.WebExceptionMapper;
import com.salesmate.realtime.socketio.SocketServer;
import com.salesmate.realtime.tasks.AdminKeyFilter;
import com.salesmate.realtime.tasks.DisconnectTask;
import com.salesmate.realtime.visits.SiteIndex;
import com.salesmate.realtime.visits.Sites;
import com.salesmate.realtime.visits.VisitRecorder;
import com.salesmate.realtime.webhooks.Destinations;
import com.salesmate.realtime.webhooks.WebhookSender;
import com.salesmate.realtime.webhooks.Webhooks;
import io.dropwizard.assets.AssetsBundle;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jdbi3.JdbiFactory;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import jakarta.servlet.DispatcherType;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Salesmate Realtime: Socket.IO hub, REST API and admin port in one Dropwizard application. */
public class RealtimeApplication extends Application<RealtimeConfiguration> {
    private static final Logger LOG = LoggerFactory.getLogger(RealtimeApplication.class);
    /** Largest REST request body accepted. */
    public static final long MAX_BODY_BYTES = 64 * 1024;

    private volatile RealtimeHub hub;
    private volatile SocketServer socketServer;

    public static void main(String[] args) throws Exception {
        new RealtimeApplication().run(args);
    }

    @Override
    public String getName() {
        return "salesmate-realtime";
    }

    @Override
    public void initialize(Bootstrap<RealtimeConfiguration> bootstrap) {
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
        bootstrap.addCommand(new TokenCommand());
        bootstrap.addCommand(new DbCommand());
        // the console page and the WebJars it loads (Leaflet), all from the jar
        bootstrap.addBundle(new AssetsBundle("/assets/console", "/console", "index.html", "console"));
        bootstrap.addBundle(new AssetsBundle("/META-INF/resources/webjars", "/console/webjars", null,
                "console-webjars"));
    }

    @Override
    public void run(RealtimeConfiguration config, Environment environment) {
        Clock clock = Clock.systemUTC();
        StrictJson.apply(environment.getObjectMapper());

        // infrastructure: secrets, database, executors
        SecretStore secrets = new SecretStore(Path.of(config.getDataDir()));
        String jwtSecret = secrets.resolve(config.getAuth().getJwtSecret(), "jwt-secret", "JWT_SECRET");
        TokenService tokens = new TokenService(jwtSecret,
                config.getAuth().rsaPublicKey(), clock, config.getAuth().tokenPolicy());
        Revocations revocations = new Revocations(clock);
        ApiKeys apiKeys = new ApiKeys(
                secrets.resolve(config.getAuth().getAdminApiKey(), "admin-api-key", "ADMIN_API_KEY"),
                config.getAuth().tenantKeys());
        Jdbi jdbi = buildDatabase(config.getDatabase(), environment);
        // bounded: a full queue refuses work (unavailable) instead of growing; cancelled timers leave the queue at once
        ExecutorService blocking = environment.lifecycle().executorService("realtime-blocking")
                .minThreads(4).maxThreads(4)
                .workQueue(new ArrayBlockingQueue<>(config.getSocketio().getBlockingQueueCapacity())).build();
        ScheduledExecutorService timers = environment.lifecycle().scheduledExecutorService("realtime-timers")
                .threads(1).removeOnCancelPolicy(true).build();

        // the data path and the Socket.IO side; the writer is registered first so it stops after the sockets
        LocationWriter writer = new LocationWriter(jdbi, config.getLocations().queueCapacity,
                config.getLocations().maxBatch, config.getShutdownTimeout().toJavaDuration(), environment.metrics());
        if (config.getDatabase().checkpointsOffCommitPath()) { // started before the writer, stopped after its drain
            environment.lifecycle().manage(new WalCheckpointer(jdbi, writer.commits(),
                    config.getDatabase().getSqliteCheckpointInterval(), WalCheckpointer.RESTART_FRAMES,
                    environment.metrics()));
        }
        environment.lifecycle().manage(writer);
        SightingRecorder sightings = new SightingRecorder(jdbi, java.time.Duration.ofMillis(200));
        environment.lifecycle().manage(sightings);
        // salesman ids are bound to their first tenant (cached; warmed so a reconnect wave after a restart finds them);
        // new ones by group commit, bounded as the blocking work that bound them before; stopped after the sockets
        SalesmanBinder binder = new SalesmanBinder(jdbi, clock, config.getSocketio().getBlockingQueueCapacity(),
                SalesmanBinder.MAX_BATCH, config.getShutdownTimeout().toJavaDuration(), environment.metrics());
        environment.lifecycle().manage(binder);
        SalesmanTenants salesmen = new SalesmanTenants(jdbi, clock, 200_000, binder);
        try {
            salesmen.warm();
        } catch (RuntimeException e) {
            LOG.warn("salesman bindings not preloaded (they are read on first use): {}",
                    com.salesmate.realtime.persistence.DatabaseErrors.describe(e));
        }
        // customer sites: in every node's memory for visit detection, refreshed from the database's versions
        Sites sites = new Sites(jdbi, new SiteIndex(),
                environment.lifecycle().scheduledExecutorService("realtime-sites").threads(1).build(),
                config.getVisits().siteRefresh.toJavaDuration(), config.getVisits().maxSitesPerTenant, clock);
        environment.lifecycle().manage(sites);
        environment.metrics().register("visits.sites",
                (com.codahale.metrics.Gauge<Integer>) () -> sites.index().size()); // held in this node's memory
        SocketMetrics metrics = new SocketMetrics(environment.metrics(), new TenantCounters(), Events.OWN);
        WriteBacklog backlog = config.getSocketio().writeBacklog();
        ClusterNode cluster = clusterNode(config, revocations, environment, jwtSecret);
        hub = new RealtimeHub(config.getSocketio().hubSettings(config.getNotifications().ttl.toJavaDuration()),
                new Authenticator(tokens, revocations, salesmen), new RealtimeHub.Stores(jdbi, writer, sightings),
                new RealtimeHub.Services(metrics, environment.getValidator(), new BlockingWork(blocking, metrics), timers,
                        clock),
                cluster == null ? Reach.singleNode() : cluster, config.getSocketio().fanout(metrics, backlog));
        // webhooks: endpoints cached per tenant, an outbox written with what it reports, delivered by every node
        Webhooks webhooks = new Webhooks(jdbi, hub.ids(), new Destinations(config.getWebhooks().allowPrivate),
                environment.getObjectMapper(), clock,
                environment.lifecycle().scheduledExecutorService("realtime-webhooks").threads(1).build(),
                config.getVisits().siteRefresh.toJavaDuration());
        environment.lifecycle().manage(webhooks);
        environment.lifecycle().manage(new WebhookSender(jdbi, webhooks, clock, hub.ids(),
                config.getWebhooks().timeout.toJavaDuration(), config.getWebhooks().senders, environment.metrics()));
        writer.extend(new VisitRecorder(sites.index(), hub.publisher(), webhooks, environment.metrics()));
        hub.presence().listen((event, payload) -> webhooks.reportLater(payload.tenantId(),
                Events.SALESMAN_ONLINE.equals(event) ? Webhook.SALESMAN_ONLINE : Webhook.SALESMAN_OFFLINE, payload,
                payload.at()));
        if (cluster == null) { // one node stores every notification: connects ask the database only when one may wait
            hub.notifications().trackPending();
        }
        if (cluster != null) { // started before the sockets, stopped after them
            environment.lifecycle().manage(cluster);
            environment.healthChecks().register("redis", new RedisHealthCheck(cluster));
        }
        socketServer = new SocketServer(config.getSocketio(), hub, hub.registry(), metrics, writer, timers);
        environment.lifecycle().manage(socketServer);
        environment.lifecycle().manage(new ShutdownWatchdog(config.getShutdownTimeout().toJavaDuration()));
        schedulePurge(config, timers, blocking);

        EmitAdmission admission = new EmitAdmission(backlog, config.getSocketio().getEmitBacklogWait().toJavaDuration(),
                config.getSocketio().getMaxHeldEmits(), environment.metrics());
        registerRest(environment, tokens, apiKeys, revocations, jdbi, sites, webhooks, clock, admission);
        registerOperations(config, environment, writer, revocations, apiKeys, jdbi, clock);
        registerConsole(config, environment);
    }

    /** Exposed for tests. */
    public RealtimeHub hub() {
        return hub;
    }

    /** Cluster mode when {@code redisUrl} is set: this node joins the others over that Redis. */
    private static ClusterNode clusterNode(RealtimeConfiguration config, Revocations revocations,
                                           Environment environment, String jwtSecret) {
        String url = config.getRedisUrl();
        if (url == null || url.isBlank()) {
            return null;
        }
        return new ClusterNode(config.getCluster(), url.trim(),
                (int) config.getSocketio().getMaxFramePayload().toBytes(), revocations, environment.metrics(),
                new com.salesmate.realtime.hub.WireJson().mapper(), jwtSecret);
    }

    private static Jdbi buildDatabase(DatabaseFactory database, Environment environment) {
        database.prepare();
        if (database.isMigrateOnStart()) {
            var result = new Migrations(database).migrate();
            LOG.info("database schema at version {} ({} migrations applied now)",
                    result.targetSchemaVersion, result.migrationsExecuted);
        }
        return new JdbiFactory().build(environment, database.dataSourceFactory(), "database");
    }

    private void schedulePurge(RealtimeConfiguration config, ScheduledExecutorService timers, ExecutorService blocking) {
        long every = config.getNotifications().purgeInterval.toMilliseconds();
        timers.scheduleWithFixedDelay(() -> blocking.execute(() -> {
            try {
                int purged = hub.notifications().purgeExpired();
                if (purged > 0) {
                    LOG.info("purged {} expired notifications", purged);
                }
            } catch (RuntimeException e) {
                LOG.warn("notification purge failed: {}", com.salesmate.realtime.persistence.DatabaseErrors.describe(e));
            }
        }), every, every, TimeUnit.MILLISECONDS);
    }

    private void registerRest(Environment environment, TokenService tokens, ApiKeys apiKeys, Revocations revocations,
                              Jdbi jdbi, Sites sites, Webhooks webhooks, Clock clock, EmitAdmission admission) {
        var jersey = environment.jersey();
        jersey.register(new AuthDynamicFeature(new OAuthCredentialAuthFilter.Builder<Caller>()
                .setAuthenticator(new CallerAuthenticator(apiKeys, tokens, revocations))
                .setPrefix("Bearer")
                .setRealm("salesmate-realtime")
                .setUnauthorizedHandler(new JsonUnauthorizedHandler())
                .buildAuthFilter()));
        jersey.register(new AuthValueFactoryProvider.Binder<>(Caller.class));
        jersey.register(new BodyLimitFilter(MAX_BODY_BYTES));
        environment.lifecycle().addServerLifecycleListener(server -> server.setErrorHandler(new JsonErrorHandler()));
        jersey.register(new ApiExceptionMapper());
        jersey.register(new ValidationExceptionMapper());
        jersey.register(new JsonExceptionMapper());
        jersey.register(new WebExceptionMapper());
        jersey.register(new UnexpectedExceptionMapper());
        jersey.register(new StatsResource(hub.directory()));
        jersey.register(new TenantResource(hub.directory(), hub.presence(), jdbi));
        jersey.register(new SalesmanResource(hub.presence(), jdbi, clock));
        jersey.register(new EmitResource(hub.publisher(), hub.notifications(), webhooks, clock, admission));
        jersey.register(new WebhookResource(webhooks));
        jersey.register(new SiteResource(sites, jdbi, clock));
        jersey.register(new HealthResource(environment.healthChecks()));
        jersey.register(new com.salesmate.realtime.resources.OpenApiResource());
    }

    /** The console's configuration, headers and slash; its page and libraries are the assets bundles of initialize(). */
    private static void registerConsole(RealtimeConfiguration config, Environment environment) {
        environment.servlets().addServlet("console-config", new ConsoleConfigServlet(config.getConsole(),
                config.getSocketio().getPort(), environment.getObjectMapper())).addMapping(ConsoleConfigServlet.PATH);
        environment.servlets().addFilter("console", new ConsoleFilter())
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, ConsoleFilter.PATH + "/*");
    }

    private void registerOperations(RealtimeConfiguration config, Environment environment, LocationWriter writer,
                                    Revocations revocations, ApiKeys apiKeys, Jdbi jdbi, Clock clock) {
        environment.healthChecks().register("socketio", new SocketIoHealthCheck(socketServer));
        environment.healthChecks().register("location-writer",
                new LocationWriterHealthCheck(writer, config.getLocations().highWaterMark));
        environment.admin().addTask(new DisconnectTask(hub.directory(), revocations));
        // every task (ours and Dropwizard's: gc, log-level, ...) needs the admin key
        environment.admin().addFilter("admin-key", new AdminKeyFilter(apiKeys))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, AdminKeyFilter.PATH);
        // gauges counted or checked on a schedule of their own, never per scrape
        ScheduledExecutorService gauges = environment.lifecycle().scheduledExecutorService("realtime-gauges")
                .threads(2).build();
        environment.lifecycle().manage(new DatabaseGauges(jdbi, clock, gauges, DatabaseGauges.REFRESH,
                environment.metrics()));
        environment.lifecycle().manage(new HealthGauges(environment.health(), environment.metrics(), gauges));
        environment.admin().addServlet("prometheus",
                new PrometheusMetricsServlet(PrometheusExport.of(environment.metrics()))).addMapping("/prometheus");
    }
}
