package com.salesmate.realtime.realtime;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIOServer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import com.salesmate.realtime.metrics.SocketMetrics;

import java.util.Collection;
import java.util.function.Predicate;

/**
 * Emits events to rooms, single sockets or everyone, and counts each delivery (one per receiving socket) on the
 * same meters that {@code /stats} reads.
 */
public class Publisher {
    private final ConnectionRegistry registry;
    private final SocketMetrics metrics;
    private volatile SocketIOServer server;
    private volatile ObjectMapper json;

    public Publisher(ConnectionRegistry registry, SocketMetrics metrics) {
        this.registry = registry;
        this.metrics = metrics;
    }

    void attach(SocketIOServer server, ObjectMapper json) {
        this.server = server;
        this.json = json;
    }

    /**
     * A payload for many recipients, serialised once: netty-socketio encodes each packet per recipient, and the JSON of
     * a large payload would otherwise be written again for every socket.
     */
    private Object onceForAll(Object payload) {
        ObjectMapper mapper = json;
        if (mapper == null || payload == null) {
            return payload;
        }
        try {
            return new RawValue(mapper.writeValueAsString(payload));
        } catch (JsonProcessingException e) {
            return payload;
        }
    }

    /** Emits to every socket in a room of {@code tenantId}; returns the number of sockets reached. */
    public int toRoom(String tenantId, String room, String event, Object payload) {
        return toRoom(tenantId, room, event, payload, c -> true);
    }

    /** As {@link #toRoom(String, String, String, Object)}, skipping sockets the filter refuses. */
    public int toRoom(String tenantId, String room, String event, Object payload, Predicate<Connection> include) {
        SocketIOServer s = server;
        if (s == null) {
            return 0;
        }
        return send(s.getRoomOperations(room).getClients(), tenantId, event, payload, include);
    }

    /** Emits to every authenticated socket of this node, whatever its tenant. */
    public int toEveryone(String event, Object payload) {
        int reached = 0;
        Object wire = onceForAll(payload);
        for (Connection c : registry.authenticated()) {
            reached += toSocket(c, event, wire);
        }
        return reached;
    }

    /** Emits to one socket. */
    public int toSocket(Connection connection, String event, Object payload) {
        // Not client.isChannelOpen(): between two polling requests a live session has no open channel, and
        // netty-socketio queues the packet for the next poll.
        if (registry.get(connection.client()) != connection) {
            return 0;
        }
        connection.client().sendEvent(event, payload);
        metrics.sent(event, connection.identity() == null ? null : connection.identity().tenantId(), 1);
        return 1;
    }

    private int send(Collection<SocketIOClient> clients, String tenantId, String event, Object payload,
                     Predicate<Connection> include) {
        int reached = 0;
        Object wire = clients.size() > 1 ? onceForAll(payload) : payload;
        for (SocketIOClient client : clients) {
            Connection c = registry.get(client);
            if (c == null || !c.isAuthenticated() || !include.test(c)) {
                continue;
            }
            client.sendEvent(event, wire);
            reached++;
        }
        metrics.sent(event, tenantId, reached);
        return reached;
    }
}
