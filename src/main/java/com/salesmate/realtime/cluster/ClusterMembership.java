package com.salesmate.realtime.cluster;

import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.ConnectionRegistry;
import com.salesmate.realtime.hub.LocalDirectory;
import com.salesmate.realtime.hub.Membership;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers this node's authenticated sockets in the shared registry. Writes are issued under one lock, in the order
 * the sockets changed, so a socket's removal is never overtaken by its own registration; a write that fails marks
 * the node for a full re-registration once Redis answers again.
 */
final class ClusterMembership implements Membership {
    private final SharedState state;
    private final Runnable failed;
    private final Map<String, String> transports = new ConcurrentHashMap<>();
    private final Object lock = new Object();

    ClusterMembership(SharedState state, Runnable failed) {
        this.state = state;
        this.failed = failed;
    }

    @Override
    public void admitted(Connection connection) {
        put(connection);
    }

    @Override
    public void joined(Connection connection) {
        put(connection);
    }

    @Override
    public void left(Connection connection) {
        Identity id = connection.identity();
        synchronized (lock) {
            transports.remove(connection.id());
            watch(state.deleteSocket(id.tenantId(), connection.id(), id.userId(), id.salesmanId()));
        }
    }

    private CompletionStage<?> put(Connection connection) {
        synchronized (lock) {
            if (!connection.isOpen() || !connection.isAuthenticated()) {
                return CompletableFuture.completedFuture(null); // gone: its removal has been issued, or will be
            }
            var socket = LocalDirectory.describe(connection);
            transports.put(connection.id(), socket.transport());
            return watch(state.putSocket(socket));
        }
    }

    /** Writes again the sockets whose transport changed since they were registered (polling upgraded to websocket). */
    void refreshTransports(ConnectionRegistry registry) {
        for (Connection c : registry.authenticated()) {
            String registered = transports.get(c.id());
            if (registered != null && !registered.equals(c.transport())) {
                put(c);
            }
        }
    }

    /** Registers every socket of this node again from scratch; completes when Redis has taken all of it. */
    CompletionStage<?> reregister(ConnectionRegistry registry) {
        synchronized (lock) {
            CompletionStage<?> last = watch(state.resetNode());
            for (Connection c : registry.authenticated()) {
                last = put(c);
            }
            return last;
        }
    }

    private <T> CompletionStage<T> watch(CompletionStage<T> write) {
        return write.whenComplete((r, e) -> {
            if (e != null) {
                failed.run();
            }
        });
    }
}
