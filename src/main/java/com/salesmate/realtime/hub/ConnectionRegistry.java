package com.salesmate.realtime.hub;

import com.salesmate.realtime.core.Identity;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The sockets connected to this node and the rooms they are in (the hub's own index: rooms are addressed, never scanned). */
public class ConnectionRegistry {
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<Connection>> rooms = new ConcurrentHashMap<>();

    void add(Connection connection) {
        connections.add(connection);
    }

    /** Forgets the socket and takes it out of every room. True when it was here. */
    boolean remove(Connection connection) {
        boolean was = connections.remove(connection);
        for (String room : connection.roomSet()) {
            leave(connection, room);
        }
        return was;
    }

    /** Puts an open, registered socket into a room; idempotent. True when it was not in the room before. */
    boolean join(Connection connection, String room) {
        if (!connection.isOpen() || !connections.contains(connection)) {
            return false;
        }
        rooms.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(connection);
        boolean added = connection.roomSet().add(room);
        if (!connection.isOpen()) { // closed meanwhile: its clean-up may have run before the join
            leave(connection, room);
            return false;
        }
        return added;
    }

    private void leave(Connection connection, String room) {
        connection.roomSet().remove(room);
        rooms.computeIfPresent(room, (r, members) -> {
            members.remove(connection);
            return members.isEmpty() ? null : members;
        });
    }

    /** The sockets in a room now. */
    public Collection<Connection> inRoom(String room) {
        Set<Connection> members = rooms.get(room);
        return members == null ? List.of() : members;
    }

    public boolean contains(Connection connection) {
        return connections.contains(connection);
    }

    public Collection<Connection> all() {
        return java.util.Collections.unmodifiableSet(connections);
    }

    public int size() {
        return connections.size();
    }

    public List<Connection> authenticated() {
        return connections.stream().filter(Connection::isAuthenticated).toList();
    }

    public List<Connection> ofTenant(String tenantId) {
        return connections.stream()
                .filter(c -> c.isAuthenticated() && c.identity().tenantId().equals(tenantId))
                .toList();
    }

    public List<Connection> ofSalesman(String salesmanId) {
        return connections.stream()
                .filter(c -> c.isAuthenticated() && salesmanId.equals(c.identity().salesmanId()))
                .toList();
    }

    public Set<String> tenants() {
        return identities().map(Identity::tenantId).collect(Collectors.toSet());
    }

    public Set<String> salesmen() {
        return identities().map(Identity::salesmanId).filter(Objects::nonNull).collect(Collectors.toSet());
    }

    /** Rooms with at least one socket. */
    public Set<String> rooms() {
        return Set.copyOf(rooms.keySet());
    }

    private Stream<Identity> identities() {
        return connections.stream().map(Connection::identity).filter(Objects::nonNull);
    }
}
