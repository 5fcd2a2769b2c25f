package com.salesmate.realtime.resources;

import com.salesmate.realtime.auth.Caller;
import com.salesmate.realtime.core.Ids;
import com.salesmate.realtime.persistence.LocationDao;
import com.salesmate.realtime.persistence.LocationRow;
import com.salesmate.realtime.hub.Directory;
import com.salesmate.realtime.hub.Presence;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jdbi.v3.core.Jdbi;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tenant's live sockets and online salesmen. */
@Path(ApiPaths.ROOT + "/tenants/{tenantId}")
@Produces(MediaType.APPLICATION_JSON)
public class TenantResource {
    private final Directory directory;
    private final Presence presence;
    private final Jdbi jdbi;

    public TenantResource(Directory directory, Presence presence, Jdbi jdbi) {
        this.directory = directory;
        this.presence = presence;
        this.jdbi = jdbi;
    }

    @GET
    @Path("/connections")
    public Map<String, Object> connections(@Auth Caller caller, @PathParam("tenantId") String tenantId) {
        Ids.require("tenantId", tenantId);
        caller.requireTenant(tenantId);
        List<Map<String, Object>> connections = directory.connections(tenantId).stream()
                .map(TenantResource::describe)
                .toList();
        return Answers.ok("tenantId", tenantId, "count", connections.size(), "connections", connections);
    }

    /** Salesmen per statement of {@code /online-salesmen}'s latest locations (well inside every driver's bound). */
    private static final int LATEST_CHUNK = 500;

    @GET
    @Path("/online-salesmen")
    @com.codahale.metrics.annotation.Metered(name = "rest.online-salesmen", absolute = true)
    public Map<String, Object> onlineSalesmen(@Auth Caller caller, @PathParam("tenantId") String tenantId) {
        Ids.require("tenantId", tenantId);
        caller.requireTenant(tenantId);
        // presence first (in a cluster a Redis read), with no pooled database connection held meanwhile; then the
        // latest locations of all of them in one statement per 500 salesmen, not one per salesman
        List<Presence.Online> online = presence.onlineInTenant(tenantId).stream()
                .sorted(Comparator.comparing(Presence.Online::salesmanId))
                .toList();
        Map<String, LocationRow> latest = new java.util.HashMap<>();
        List<String> ids = online.stream().map(Presence.Online::salesmanId).toList();
        for (int from = 0; from < ids.size(); from += LATEST_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + LATEST_CHUNK));
            jdbi.withExtension(LocationDao.class, dao -> dao.latestOf(tenantId, chunk))
                    .forEach(row -> latest.put(row.salesmanId(), row));
        }
        List<Map<String, Object>> salesmen = online.stream().map(o -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("salesmanId", o.salesmanId());
            s.put("connections", o.connections());
            s.put("onlineSince", o.onlineSince());
            LocationRow row = latest.get(o.salesmanId());
            s.put("lastLocation", row == null ? null : Representations.location(row));
            return s;
        }).toList();
        return Answers.ok("tenantId", tenantId, "count", salesmen.size(), "salesmen", salesmen);
    }

    private static Map<String, Object> describe(Directory.Socket c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sessionId", c.sessionId());
        m.put("userId", c.userId());
        m.put("salesmanId", c.salesmanId());
        m.put("role", c.role());
        m.put("transport", c.transport());
        m.put("connectedAt", c.connectedAt());
        return m;
    }
}
