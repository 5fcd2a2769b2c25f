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
 * Registers this node's authenticated sockets in the shared registry. Writes are issued by one thread of their own, in
 * the order the sockets changed, so a socket's removal is never overtaken by its own registration; the Socket.IO event
 * loops only hand them over (they never wait for a lock or for Redis, also not while a re-registration of every
 * socket is being issued). A write that fails marks the node for a full re-registration once Redis answers again.
 */
final class ClusterMembership implements Membership {
    /** Writes waiting to be issued; past it the node re-registers everything instead (see {@link #enqueue}). */
    static final int BACKLOG = 200_000;

    private final SharedState state;
    private final Runnable failed;
    private final Map<String, String> transports = new ConcurrentHashMap<>();
    private final java.util.concurrent.ThreadPoolExecutor writer;

    ClusterMembership(SharedState state, Runnable failed) {
        this.state = state;
        this.failed = failed;
        this.writer = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, java.util.concurrent.TimeUnit.MILLISECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(BACKLOG), r -> {
                    Thread t = new Thread(r, "cluster-membership-" + state.node());
                    t.setDaemon(true);
                    return t;
                });
    }

    @Override
    public void admitted(Connection connection) {
        enqueue(() -> put(connection));
    }

    /** One room more: one command of constant size (socket_join.lua), whatever the rooms the socket is in already. */
    @Override
    public void joined(Connection connection, String room) {
        enqueue(() -> {
            if (connection.isOpen() && connection.isAuthenticated()) {
                Identity id = connection.identity();
                watch(state.joinSocket(id.tenantId(), connection.id(), id.userId(), room));
            }
        });
    }

    @Override
    public void left(Connection connection) {
        Identity id = connection.identity();
        enqueue(() -> {
            transports.remove(connection.id());
            watch(state.deleteSocket(id.tenantId(), connection.id(), id.userId(), id.salesmanId()));
        });
    }

    /** Stops issuing (the node is leaving; its entries are cleared by its stop). */
    void stop() {
        writer.shutdownNow();
    }

    private void enqueue(Runnable write) {
        try {
            writer.execute(write);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (!writer.isShutdown()) {
                failed.run(); // too far behind: the next heartbeat registers every socket again
            }
        }
    }

    /** On the writer thread. */
    private CompletionStage<?> put(Connection connection) {
        if (!connection.isOpen() || !connection.isAuthenticated()) {
            return CompletableFuture.completedFuture(null); // gone: its removal has been issued, or will be
        }
        var socket = LocalDirectory.describe(connection);
        transports.put(connection.id(), socket.transport());
        return watch(state.putSocket(socket));
    }

    /** Writes again the sockets whose transport changed since they were registered (polling upgraded to websocket). */
    void refreshTransports(ConnectionRegistry registry) {
        for (Connection c : registry.authenticated()) {
            String registered = transports.get(c.id());
            if (registered != null && !registered.equals(c.transport())) {
                enqueue(() -> put(c));
            }
        }
    }

    /** Registers every socket of this node again from scratch; completes when Redis has taken all of it. */
    CompletionStage<?> reregister(ConnectionRegistry registry) {
        CompletableFuture<CompletionStage<?>> issued = new CompletableFuture<>();
        enqueue(() -> {
            try {
                CompletionStage<?> last = watch(state.resetNode());
                for (Connection c : registry.authenticated()) {
                    last = put(c);
                }
                issued.complete(last);
            } catch (RuntimeException e) {
                issued.completeExceptionally(e);
            }
        });
        if (writer.isShutdown()) {
            issued.completeExceptionally(new IllegalStateException("the node is leaving"));
        }
        return issued.thenCompose(last -> last);
    }

    private <T> CompletionStage<T> watch(CompletionStage<T> write) {
        return write.whenComplete((r, e) -> {
            if (e != null) {
                failed.run();
            }
        });
    }
}
