package com.salesmate.realtime.hub;

import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.metrics.TenantCounters;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** The sockets of this node, read from the registry and the metrics the admin port shows. */
public final class LocalDirectory implements Directory {
    private final ConnectionRegistry registry;
    private final SocketMetrics metrics;

    public LocalDirectory(ConnectionRegistry registry, SocketMetrics metrics) {
        this.registry = registry;
        this.metrics = metrics;
    }

    @Override
    public List<Socket> connections(String tenantId) {
        return registry.ofTenant(tenantId).stream()
                .sorted(Comparator.comparingLong(Connection::connectedAt))
                .map(LocalDirectory::describe)
                .toList();
    }

    /** How another node sees this socket. */
    public static Socket describe(Connection c) {
        var id = c.identity();
        List<String> rooms = new ArrayList<>(c.rooms());
        rooms.sort(null);
        return new Socket(c.id(), id.tenantId(), id.userId(), id.salesmanId(), id.role().wire(), c.transport(),
                c.connectedAt(), rooms);
    }

    @Override
    public Set<String> tenants() {
        return registry.tenants();
    }

    @Override
    public java.util.Map<String, Load> loads() {
        return loads(registry);
    }

    /** This node's tenants' loads. */
    public static java.util.Map<String, Load> loads(ConnectionRegistry registry) {
        java.util.Map<String, Load> out = new java.util.HashMap<>();
        for (String tenant : registry.tenants()) {
            List<Connection> sockets = registry.ofTenant(tenant).stream().filter(Connection::isAuthenticated).toList();
            if (!sockets.isEmpty()) {
                Set<String> salesmen = new java.util.HashSet<>();
                sockets.forEach(c -> {
                    if (c.identity().salesmanId() != null) {
                        salesmen.add(c.identity().salesmanId());
                    }
                });
                out.put(tenant, new Load(sockets.size(), salesmen));
            }
        }
        return out;
    }

    @Override
    public Stats stats() {
        return new Stats(metrics.totalConnections(), registry.size(), metrics.messagesSent(),
                metrics.messagesReceived(), registry.tenants().size(), registry.salesmen().size(),
                registry.rooms().size());
    }

    @Override
    public Stats stats(String tenantId) {
        TenantCounters.Totals totals = metrics.tenants().of(tenantId);
        return tenantStats(totals.connections(), totals.sent(), totals.received(), connections(tenantId));
    }

    /** A tenant's figures from its counters and its sockets. */
    public static Stats tenantStats(long connects, long sent, long received, Collection<Socket> sockets) {
        return new Stats(connects, sockets.size(), sent, received, sockets.isEmpty() ? 0 : 1,
                sockets.stream().map(Socket::salesmanId).filter(Objects::nonNull).distinct().count(),
                sockets.stream().flatMap(s -> s.rooms().stream()).distinct().count());
    }

    @Override
    public int disconnect(String tenantId, String salesmanId) {
        return closeHere(registry, tenantId, salesmanId);
    }

    /** Closes the matching sockets of this node; returns how many. */
    public static int closeHere(ConnectionRegistry registry, String tenantId, String salesmanId) {
        List<Connection> targets = salesmanId != null ? registry.ofSalesman(salesmanId) : registry.ofTenant(tenantId);
        targets.forEach(c -> c.close(DisconnectReason.ADMIN));
        return targets.size();
    }
}
