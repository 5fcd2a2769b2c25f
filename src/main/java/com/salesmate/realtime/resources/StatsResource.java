package com.salesmate.realtime.resources;

import com.salesmate.realtime.auth.Caller;
import com.salesmate.realtime.hub.Directory;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code GET /stats}: read from the same metrics the admin port shows (in a cluster, every node's, summed); a tenant
 * credential sees its own tenant; {@code GET /stats/tenants}: live sockets per tenant.
 */
@Path(ApiPaths.ROOT + "/stats")
@Produces(MediaType.APPLICATION_JSON)
public class StatsResource {
    private final Directory directory;

    public StatsResource(Directory directory) {
        this.directory = directory;
    }

    @GET
    public Map<String, Object> stats(@Auth Caller caller) {
        caller.requireOperator();
        Directory.Stats s = caller.isAdmin() ? directory.stats() : directory.stats(caller.tenantId());
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("totalConnections", s.totalConnections());
        stats.put("activeConnections", s.activeConnections());
        stats.put("messagesSent", s.messagesSent());
        stats.put("messagesReceived", s.messagesReceived());
        stats.put("tenants", s.tenants());
        stats.put("salesmen", s.salesmen());
        stats.put("rooms", s.rooms());
        return Answers.ok("stats", stats);
    }

    /** Live sockets per tenant: every tenant with one for the admin key, its own for a tenant credential. */
    @GET
    @Path("/tenants")
    public Map<String, Object> tenants(@Auth Caller caller) {
        caller.requireOperator();
        // every tenant's load in one look (one Redis round trip in a cluster), not one listing per tenant
        Map<String, Directory.Load> loads = directory.loads();
        Collection<String> ids = caller.isAdmin() ? new TreeSet<>(loads.keySet()) : List.of(caller.tenantId());
        List<Map<String, Object>> tenants = ids.stream().map(id -> tenant(id, loads.get(id))).toList();
        return Answers.ok("count", tenants.size(), "tenants", tenants);
    }

    private static Map<String, Object> tenant(String tenantId, Directory.Load load) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("tenantId", tenantId);
        t.put("activeConnections", load == null ? 0 : load.activeConnections());
        t.put("salesmen", load == null ? 0 : load.salesmen().size());
        return t;
    }
}
