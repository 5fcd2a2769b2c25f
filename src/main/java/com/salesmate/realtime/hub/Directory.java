package com.salesmate.realtime.hub;

import java.util.List;
import java.util.Set;

/**
 * Who is connected, for listings, {@code /stats} and the disconnect task: this node's sockets, or the whole
 * cluster's. Blocking (the cluster asks Redis): REST and admin threads only, never an event loop.
 */
public interface Directory {

    /** One authenticated socket, wherever it is connected. */
    record Socket(String sessionId, String tenantId, String userId, String salesmanId, String role, String transport,
                  long connectedAt, List<String> rooms) {
    }

    /** The figures of {@code GET /stats}. */
    record Stats(long totalConnections, long activeConnections, long messagesSent, long messagesReceived,
                 long tenants, long salesmen, long rooms) {
    }

    /** The authenticated sockets of a tenant, oldest first. */
    List<Socket> connections(String tenantId);

    /** The tenants with at least one authenticated socket. */
    Set<String> tenants();

    /** A tenant's live authenticated sockets and the distinct salesmen among them. */
    record Load(int activeConnections, Set<String> salesmen) {
        /** This load and another tenant's share elsewhere, together (a salesman on both counts once). */
        public Load plus(Load other) {
            Set<String> both = new java.util.HashSet<>(salesmen);
            both.addAll(other.salesmen);
            return new Load(activeConnections + other.activeConnections, both);
        }
    }

    /** Every tenant with a live authenticated socket, with its load: one look (one Redis round trip in a cluster). */
    java.util.Map<String, Load> loads();

    /** The figures of every tenant. */
    Stats stats();

    /** One tenant's figures (its authenticated sockets). */
    Stats stats(String tenantId);

    /**
     * Closes, as an admin decision, the sockets of one salesman ({@code salesmanId} given) or of a whole tenant;
     * returns how many were addressed.
     */
    int disconnect(String tenantId, String salesmanId);
}
