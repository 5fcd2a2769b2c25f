package com.salesmate.realtime.hub;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connected sockets of this node by their recovery {@code pid}: a phone may come back before this node has seen
 * its old socket go, and then takes it over.
 */
public final class LivePids {
    private final Map<String, Connection> live = new ConcurrentHashMap<>();

    /** {@code connection} has answered its CONNECT with its pid. */
    public void live(Connection connection) {
        if (connection.pid() != null) {
            live.put(connection.pid(), connection);
        }
    }

    /** The socket of {@code pid} still connected here, or null. */
    public Connection liveOf(String pid) {
        return live.get(pid);
    }

    /** {@code connection} left. */
    public void gone(Connection connection) {
        if (connection.pid() != null) {
            live.remove(connection.pid(), connection);
        }
    }
}
