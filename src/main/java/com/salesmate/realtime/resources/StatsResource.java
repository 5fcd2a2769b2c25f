package com.salesmate.realtime.resources;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.salesmate.realtime.auth.Caller;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.metrics.TenantCounters;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.ConnectionRegistry;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** {@code GET /stats}: read from the same metric registry the admin port shows; a tenant credential sees its own tenant. */
@Path(ApiPaths.ROOT + "/stats")
@Produces(MediaType.APPLICATION_JSON)
public class StatsResource {
    private final SocketMetrics metrics;
    private final ConnectionRegistry registry;

    public StatsResource(SocketMetrics metrics, ConnectionRegistry registry) {
        this.metrics = metrics;
        this.registry = registry;
    }

    @GET
    public Map<String, Object> stats(@Auth Caller caller) {
        caller.requireOperator();
        Map<String, Object> stats = new LinkedHashMap<>();
        if (caller.isAdmin()) {
            MetricRegistry r = metrics.registry();
            stats.put("totalConnections", metrics.totalConnections());
            stats.put("activeConnections", gauge(r, SocketMetrics.CONNECTIONS_ACTIVE));
            stats.put("messagesSent", metrics.messagesSent());
            stats.put("messagesReceived", metrics.messagesReceived());
            stats.put("tenants", gauge(r, SocketMetrics.TENANTS_ONLINE));
            stats.put("salesmen", gauge(r, SocketMetrics.SALESMEN_ONLINE));
            stats.put("rooms", gauge(r, SocketMetrics.ROOMS));
        } else {
            TenantCounters.Totals totals = metrics.tenants().of(caller.tenantId());
            List<Connection> sockets = registry.ofTenant(caller.tenantId());
            stats.put("totalConnections", totals.connections());
            stats.put("activeConnections", sockets.size());
            stats.put("messagesSent", totals.sent());
            stats.put("messagesReceived", totals.received());
            stats.put("tenants", sockets.isEmpty() ? 0 : 1);
            stats.put("salesmen", sockets.stream().map(c -> c.identity().salesmanId()).filter(Objects::nonNull)
                    .distinct().count());
            stats.put("rooms", sockets.stream().flatMap(c -> c.rooms().stream()).distinct().count());
        }
        return Answers.ok("stats", stats);
    }

    private static Object gauge(MetricRegistry registry, String name) {
        Gauge<?> g = registry.getGauges().get(name);
        return g == null ? 0 : g.getValue();
    }
}
