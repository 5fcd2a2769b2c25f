package com.salesmate.realtime.cluster;

import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.hub.ConnectionRegistry;
import com.salesmate.realtime.hub.Directory;
import com.salesmate.realtime.hub.LocalDirectory;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.metrics.TenantCounters;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Listings and figures for the whole cluster: this node's live view plus what the other live nodes registered in
 * Redis. When Redis cannot be read the answer is {@code unavailable} (503) rather than a partial list that looks whole.
 */
final class ClusterDirectory implements Directory {
    private final LocalDirectory local;
    private final ConnectionRegistry registry;
    private final SocketMetrics metrics;
    private final SharedState state;
    private final BiConsumer<String, String> askOthersToDisconnect;

    ClusterDirectory(ConnectionRegistry registry, SocketMetrics metrics, SharedState state,
                     BiConsumer<String, String> askOthersToDisconnect) {
        this.local = new LocalDirectory(registry, metrics);
        this.registry = registry;
        this.metrics = metrics;
        this.state = state;
        this.askOthersToDisconnect = askOthersToDisconnect;
    }

    @Override
    public List<Socket> connections(String tenantId) {
        List<Socket> all = new ArrayList<>(state.socketsElsewhere(tenantId));
        all.addAll(local.connections(tenantId));
        all.sort(Comparator.comparingLong(Socket::connectedAt).thenComparing(Socket::sessionId));
        return all;
    }

    @Override
    public Set<String> tenants() {
        return tenants(state.figuresElsewhere(null));
    }

    private Set<String> tenants(SharedState.Figures others) {
        Set<String> tenants = new HashSet<>(registry.tenants());
        others.tenants().forEach(room -> tenants.add(room.substring("tenant:".length())));
        return tenants;
    }

    @Override
    public Map<String, Load> loads() {
        Map<String, Load> all = new HashMap<>(LocalDirectory.loads(registry));
        state.loadsElsewhere().forEach((tenant, there) -> all.merge(tenant, there, Load::plus));
        return all;
    }

    @Override
    public Stats stats() {
        SharedState.Figures others = state.figuresElsewhere(null);
        Stats here = local.stats();
        Set<String> tenants = tenants(others);
        Set<String> salesmen = new HashSet<>(registry.salesmen());
        salesmen.addAll(others.salesmen());
        Set<String> rooms = new HashSet<>(registry.rooms());
        rooms.addAll(others.rooms());
        return new Stats(here.totalConnections() + others.total(), here.activeConnections() + others.active(),
                here.messagesSent() + others.sent(), here.messagesReceived() + others.received(),
                tenants.size(), salesmen.size(), rooms.size());
    }

    @Override
    public Stats stats(String tenantId) {
        SharedState.Figures others = state.figuresElsewhere(tenantId);
        TenantCounters.Totals here = metrics.tenants().of(tenantId);
        return LocalDirectory.tenantStats(here.connections() + others.total(), here.sent() + others.sent(),
                here.received() + others.received(), connections(tenantId));
    }

    @Override
    public int disconnect(String tenantId, String salesmanId) {
        int here = LocalDirectory.closeHere(registry, tenantId, salesmanId);
        try {
            int elsewhere = salesmanId != null ? state.salesmanSocketsElsewhere(salesmanId)
                    : state.await(state.countElsewhere(Rooms.tenant(tenantId), null));
            askOthersToDisconnect.accept(tenantId, salesmanId);
            return here + elsewhere;
        } catch (RuntimeException e) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "closed " + here + " sockets on this node; the other nodes "
                    + "could not be reached through Redis: run the task again once Redis answers");
        }
    }
}
