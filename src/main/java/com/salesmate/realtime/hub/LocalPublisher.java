package com.salesmate.realtime.hub;

import com.salesmate.realtime.metrics.SocketMetrics;

import java.util.function.Predicate;

/**
 * Publishes to the sockets of this node through the registry's room index. Each payload is serialised once for all
 * its recipients, and each delivery (one per receiving socket) is counted on the meters {@code /stats} reads.
 */
public class LocalPublisher implements Publisher {
    private final ConnectionRegistry registry;
    private final SocketMetrics metrics;
    private final WireJson json;

    public LocalPublisher(ConnectionRegistry registry, SocketMetrics metrics, WireJson json) {
        this.registry = registry;
        this.metrics = metrics;
        this.json = json;
    }

    @Override
    public int toRoom(String tenantId, String room, String event, Object payload, Predicate<Connection> include) {
        OutboundEvent wire = null;
        int reached = 0;
        for (Connection c : registry.inRoom(room)) {
            if (!c.isAuthenticated() || !include.test(c)) {
                continue;
            }
            if (wire == null) {
                wire = json.event(event, payload);
            }
            if (c.send(wire)) {
                reached++;
            }
        }
        metrics.sent(event, tenantId, reached);
        return reached;
    }

    @Override
    public int toEveryone(String event, Object payload) {
        OutboundEvent wire = json.event(event, payload);
        int reached = 0;
        for (Connection c : registry.authenticated()) {
            if (c.send(wire)) {
                reached++;
                metrics.sent(event, c.identity().tenantId(), 1);
            }
        }
        return reached;
    }

    @Override
    public int toSocket(Connection connection, String event, Object payload) {
        if (!registry.contains(connection) || !connection.send(json.event(event, payload))) {
            return 0;
        }
        metrics.sent(event, connection.identity() == null ? null : connection.identity().tenantId(), 1);
        return 1;
    }
}
