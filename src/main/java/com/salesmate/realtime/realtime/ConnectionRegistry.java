package com.salesmate.realtime.realtime;

import com.corundumstudio.socketio.SocketIOClient;
import com.salesmate.realtime.core.Identity;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** The sockets connected to this node, by Engine.IO session. */
public class ConnectionRegistry {
    private final Map<UUID, Connection> connections = new ConcurrentHashMap<>();

    void add(Connection connection) {
        connections.put(connection.client().getSessionId(), connection);
    }

    Connection remove(SocketIOClient client) {
        return connections.remove(client.getSessionId());
    }

    public Connection get(SocketIOClient client) {
        return connections.get(client.getSessionId());
    }

    public Collection<Connection> all() {
        return connections.values();
    }

    public int size() {
        return connections.size();
    }

    public List<Connection> authenticated() {
        return connections.values().stream().filter(Connection::isAuthenticated).toList();
    }

    public List<Connection> ofTenant(String tenantId) {
        return connections.values().stream()
                .filter(c -> c.isAuthenticated() && c.identity().tenantId().equals(tenantId))
                .toList();
    }

    public List<Connection> ofSalesman(String salesmanId) {
        return connections.values().stream()
                .filter(c -> c.isAuthenticated() && salesmanId.equals(c.identity().salesmanId()))
                .toList();
    }

    public Set<String> tenants() {
        return identities().map(Identity::tenantId).collect(Collectors.toSet());
    }

    public Set<String> salesmen() {
        return identities().map(Identity::salesmanId).filter(Objects::nonNull).collect(Collectors.toSet());
    }

    /** Rooms with at least one authenticated socket (Socket.IO's per-namespace default room left out). */
    public Set<String> rooms() {
        return connections.values().stream()
                .filter(Connection::isAuthenticated)
                .flatMap(c -> c.client().getAllRooms().stream())
                .filter(r -> !r.isEmpty())
                .collect(Collectors.toSet());
    }

    private java.util.stream.Stream<Identity> identities() {
        return connections.values().stream().map(Connection::identity).filter(Objects::nonNull);
    }
}
