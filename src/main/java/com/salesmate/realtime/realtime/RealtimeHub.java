package com.salesmate.realtime.realtime;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.auth.Revocations;
import com.salesmate.realtime.auth.TokenService;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.persistence.IdGenerator;
import com.salesmate.realtime.persistence.LocationWriter;
import com.salesmate.realtime.persistence.SightingRecorder;
import jakarta.validation.Validator;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** Assembles the Socket.IO side: registry, publisher, presence, notifications, the handlers and the server. */
public class RealtimeHub {
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final Publisher publisher;
    private final Presence presence;
    private final NotificationService notifications;
    private final SocketServer server;

    public RealtimeHub(SocketIoFactory settings, TokenService tokens, Revocations revocations, Jdbi jdbi,
                       LocationWriter writer,
                       SightingRecorder sightings,
                       SocketMetrics metrics, Validator validator, ObjectMapper mapper, Executor blocking,
                       ScheduledExecutorService timers, Duration notificationTtl, Clock clock) {
        MetricRegistry registryMetrics = metrics.registry();
        registryMetrics.register(SocketMetrics.CONNECTIONS_ACTIVE, (Gauge<Integer>) registry::size);
        registryMetrics.register(SocketMetrics.ROOMS, (Gauge<Integer>) () -> registry.rooms().size());
        registryMetrics.register(SocketMetrics.TENANTS_ONLINE, (Gauge<Integer>) () -> registry.tenants().size());
        registryMetrics.register(SocketMetrics.SALESMEN_ONLINE, (Gauge<Integer>) () -> registry.salesmen().size());

        Payloads payloads = new Payloads(validator);
        this.publisher = new Publisher(registry, metrics);
        this.presence = new LocalPresence(publisher, sightings, timers,
                settings.getPresenceGrace().toJavaDuration(), clock);
        this.notifications = new NotificationService(jdbi, publisher, metrics, mapper, notificationTtl, clock);
        TypingHandler typing = new TypingHandler(payloads, publisher, timers, settings.getTypingTimeout().toJavaDuration());
        SessionHandler session = new SessionHandler(registry, tokens, revocations, publisher, presence, notifications, typing,
                metrics, blocking, timers, settings.getAuthTimeout().toJavaDuration(), settings.getRateLimitPerSecond(),
                clock);
        this.server = new SocketServer(settings, registry, publisher, metrics, blocking, session,
                new JoinHandler(payloads), typing,
                new LocationHandler(payloads, writer, publisher, new IdGenerator(clock), clock),
                new NotificationAckHandler(payloads, notifications), writer);
    }

    public ConnectionRegistry registry() {
        return registry;
    }

    public Publisher publisher() {
        return publisher;
    }

    public Presence presence() {
        return presence;
    }

    public NotificationService notifications() {
        return notifications;
    }

    public SocketServer server() {
        return server;
    }
}
