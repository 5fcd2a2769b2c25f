package com.salesmate.realtime.hub;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.api.ConnectError;
import com.salesmate.realtime.metrics.HistogramTimer;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.persistence.IdGenerator;
import com.salesmate.realtime.persistence.LocationWriter;
import com.salesmate.realtime.persistence.SightingRecorder;
import jakarta.validation.Validator;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The transport-neutral real-time side, assembled: registry and rooms, publisher, presence, notifications, sessions
 * and one handler per inbound event. The edge drives it through {@link SocketEvents}; REST and tasks read its views.
 */
public class RealtimeHub implements SocketEvents {

    /** Where the hub keeps what it must not lose. */
    public record Stores(Jdbi jdbi, LocationWriter writer, SightingRecorder sightings) {
    }

    /** What the hub runs on, shared with the rest of the service: metrics, validation, executors and the clock. */
    public record Services(SocketMetrics metrics, Validator validator, BlockingWork blocking,
                           ScheduledExecutorService timers, Clock clock) {
    }

    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final WireJson json = new WireJson();
    private final Publisher publisher;
    private final IdGenerator ids;
    private final Presence presence;
    private final Directory directory;
    private final NotificationService notifications;
    private final Sessions sessions;
    private final Authentication authentication;
    private final InboundEvents inbound;

    public RealtimeHub(HubSettings settings, Authenticator authenticator, Stores stores, Services services,
                       Reach reach, Fanout fanout) {
        SocketMetrics metrics = services.metrics();
        BlockingWork blocking = services.blocking();
        ScheduledExecutorService timers = services.timers();
        Clock clock = services.clock();
        registerGauges(metrics.registry());
        Payloads payloads = new Payloads(services.validator(), metrics);
        this.ids = new IdGenerator(clock);
        Recovery recovery = reach.recovery(settings.recoveryWindow(), settings.recoveryMaxEvents(), clock);
        Reach.Wiring wiring = reach.wire(new Reach.Parts(registry,
                new LocalPublisher(registry, metrics, json, fanout, recovery),
                metrics, stores.sightings(), ids, timers, settings.presenceGrace(), clock));
        this.publisher = wiring.publisher();
        this.presence = wiring.presence();
        this.directory = wiring.directory();
        this.notifications = new NotificationService(stores.jdbi(), publisher, metrics, json.mapper(),
                settings.notificationTtl(), clock);
        TypingHandler typing = new TypingHandler(payloads, publisher, timers, settings.typingTimeout());
        this.sessions = new Sessions(new Sessions.Tracking(registry, wiring.membership(), presence, typing, recovery),
                publisher, settings, services);
        this.authentication = new Authentication(authenticator, sessions, publisher, notifications, blocking, metrics,
                recovery);
        JoinHandler joins = new JoinHandler(payloads, registry, wiring.membership(),
                settings.limits().maxRoomsPerSocket());
        LocationHandler locations = new LocationHandler(payloads, new PointReader(metrics), stores.writer(),
                publisher, ids, clock, HistogramTimer.of(metrics.registry(), LocationHandler.METRIC_ACK));
        NotificationAckHandler notificationAcks = new NotificationAckHandler(payloads, notifications);
        this.inbound = new InboundEvents(publisher, metrics, blocking, json)
                .on(Events.AUTHENTICATE, Connection.Limit.CONTROL, authentication::onAuthenticate)
                .on(Events.JOIN_TENANT, Connection.Limit.JOIN, joins::onJoinTenant)
                .on(Events.JOIN_SALESMAN, Connection.Limit.JOIN, joins::onJoinSalesman)
                .on(Events.TYPING, Connection.Limit.LOCATION, typing::onTyping)
                .on(Events.STOP_TYPING, Connection.Limit.LOCATION, typing::onStopTyping)
                .on(Events.LOCATION_UPDATE, Connection.Limit.LOCATION, locations::onUpdate)
                .on(Events.LOCATION_BATCH, Connection.Limit.LOCATION, locations::onBatch)
                .onBlocking(Events.NOTIFICATION_ACK, Connection.Limit.CONTROL, notificationAcks::onAck);
    }

    private void registerGauges(MetricRegistry metrics) {
        metrics.register(SocketMetrics.CONNECTIONS_ACTIVE, (Gauge<Integer>) registry::size);
        metrics.register(SocketMetrics.ROOMS, (Gauge<Integer>) () -> registry.rooms().size());
        metrics.register(SocketMetrics.TENANTS_ONLINE, (Gauge<Integer>) () -> registry.tenants().size());
        metrics.register(SocketMetrics.SALESMEN_ONLINE, (Gauge<Integer>) () -> registry.salesmen().size());
    }

    @Override
    public Connection opened(Link link) {
        return sessions.open(link);
    }

    @Override
    public java.util.concurrent.CompletionStage<ConnectError> connecting(Connection connection, JsonNode auth) {
        return authentication.onConnect(connection, auth);
    }

    @Override
    public void connected(Connection connection) {
        authentication.onConnected(connection);
    }

    @Override
    public void event(Connection connection, String name, JsonNode payload, Long ackId) {
        inbound.handle(connection, name, payload, ackId);
    }

    public ConnectionRegistry registry() {
        return registry;
    }

    /** Ids unique across the cluster (the node's slot is set once it has one). */
    public IdGenerator ids() {
        return ids;
    }

    public Publisher publisher() {
        return publisher;
    }

    public Presence presence() {
        return presence;
    }

    public Directory directory() {
        return directory;
    }

    public NotificationService notifications() {
        return notifications;
    }
}
