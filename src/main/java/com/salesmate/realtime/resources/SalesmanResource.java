package com.salesmate.realtime.resources;

import com.salesmate.realtime.auth.Caller;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Ids;
import com.salesmate.realtime.persistence.LocationDao;
import com.salesmate.realtime.persistence.SalesmanDao;
import com.salesmate.realtime.persistence.SalesmanRow;
import com.salesmate.realtime.persistence.VisitDao;
import com.salesmate.realtime.hub.Presence;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One salesman's presence and stored trail. Salesman ids are unique across tenants. */
@Path(ApiPaths.ROOT + "/salesmen/{salesmanId}")
@Produces(MediaType.APPLICATION_JSON)
public class SalesmanResource {
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;

    private final Presence presence;
    private final Jdbi jdbi;
    private final Clock clock;

    public SalesmanResource(Presence presence, Jdbi jdbi, Clock clock) {
        this.presence = presence;
        this.jdbi = jdbi;
        this.clock = clock;
    }

    @GET
    @Path("/status")
    public Map<String, Object> status(@Auth Caller caller, @PathParam("salesmanId") String salesmanId) {
        Ids.require("salesmanId", salesmanId);
        caller.requireOperator();
        Optional<Presence.Online> live = presence.online(salesmanId);
        Optional<SalesmanRow> row = jdbi.withExtension(SalesmanDao.class, dao -> dao.find(salesmanId));
        String tenantId = live.map(Presence.Online::tenantId)
                .or(() -> row.map(SalesmanRow::tenantId))
                .orElseThrow(() -> ApiException.notFound("salesman " + salesmanId + " was never seen"));
        caller.requireTenant(tenantId);
        return Answers.ok(
                "salesmanId", salesmanId,
                "tenantId", tenantId,
                "online", live.isPresent(),
                "connections", live.map(Presence.Online::connections).orElse(0),
                "onlineSince", live.map(Presence.Online::onlineSince).orElse(null),
                "lastSeen", row.map(SalesmanRow::lastSeen).orElse(live.map(Presence.Online::onlineSince).orElse(null)));
    }

    @GET
    @Path("/locations")
    public Map<String, Object> locations(@Auth Caller caller, @PathParam("salesmanId") String salesmanId,
                                         @QueryParam("from") String fromParam, @QueryParam("to") String toParam,
                                         @QueryParam("limit") String limitParam) {
        Ids.require("salesmanId", salesmanId);
        caller.requireOperator();
        Queries.Window w = Queries.window(fromParam, toParam, limitParam, DEFAULT_LIMIT, MAX_LIMIT, clock);
        String tenantId = checkedTenantOf(caller, salesmanId);
        List<Map<String, Object>> locations = jdbi.withExtension(LocationDao.class,
                        dao -> dao.trail(tenantId, salesmanId, w.from(), w.to(), w.limit()))
                .stream().map(Representations::location).toList();
        return Answers.ok("salesmanId", salesmanId, "tenantId", tenantId, "count", locations.size(),
                "locations", locations);
    }

    @GET
    @Path("/visits")
    public Map<String, Object> visits(@Auth Caller caller, @PathParam("salesmanId") String salesmanId,
                                      @QueryParam("from") String fromParam, @QueryParam("to") String toParam,
                                      @QueryParam("limit") String limitParam) {
        Ids.require("salesmanId", salesmanId);
        caller.requireOperator();
        Queries.Window w = Queries.window(fromParam, toParam, limitParam, DEFAULT_LIMIT, MAX_LIMIT, clock);
        String tenantId = checkedTenantOf(caller, salesmanId);
        List<Map<String, Object>> visits = jdbi.withExtension(VisitDao.class,
                        dao -> dao.ofSalesman(tenantId, salesmanId, w.from(), w.to(), w.limit()))
                .stream().map(Representations::visit).toList();
        return Answers.ok("salesmanId", salesmanId, "tenantId", tenantId, "count", visits.size(), "visits", visits);
    }

    /** The salesman's tenant, refused (403) unless it is the caller's. */
    private String checkedTenantOf(Caller caller, String salesmanId) {
        String tenantId = tenantOf(salesmanId);
        caller.requireTenant(tenantId);
        return tenantId;
    }

    /** The salesman's tenant: from live presence, else from the last-seen table; 404 when never seen. */
    private String tenantOf(String salesmanId) {
        return presence.online(salesmanId).map(Presence.Online::tenantId)
                .or(() -> jdbi.withExtension(SalesmanDao.class, dao -> dao.find(salesmanId)).map(SalesmanRow::tenantId))
                .orElseThrow(() -> ApiException.notFound("salesman " + salesmanId + " was never seen"));
    }

}
