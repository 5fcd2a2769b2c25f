package com.salesmate.realtime.hub;

import java.util.function.Predicate;

/**
 * Addresses events to rooms, single sockets or everyone and says how many sockets it reached. This node's
 * implementation is {@link LocalPublisher}; a cluster-wide one can replace it without touching the handlers.
 */
public interface Publisher {

    /** Emits to every authenticated socket in a room of {@code tenantId}; returns the number of sockets reached. */
    default int toRoom(String tenantId, String room, String event, Object payload) {
        return toRoom(tenantId, room, event, payload, c -> true);
    }

    /** As {@link #toRoom(String, String, String, Object)}, skipping sockets the filter refuses. */
    int toRoom(String tenantId, String room, String event, Object payload, Predicate<Connection> include);

    /** Emits to every authenticated socket, whatever its tenant. */
    int toEveryone(String event, Object payload);

    /** Emits to one socket; 1 when it was queued, else 0. */
    int toSocket(Connection connection, String event, Object payload);
}
