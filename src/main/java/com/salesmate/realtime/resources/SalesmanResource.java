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
    static final long DEFAULT_WINDOW_MS = 24 * 60 * 60 * 1000L;
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
        Window w = window(fromParam, toParam, limitParam, clock);
        String tenantId = tenantOf(salesmanId);
        caller.requireTenant(tenantId);
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
        Window w = window(fromParam, toParam, limitParam, clock);
        String tenantId = tenantOf(salesmanId);
        caller.requireTenant(tenantId);
        List<Map<String, Object>> visits = jdbi.withExtension(VisitDao.class,
                        dao -> dao.ofSalesman(tenantId, salesmanId, w.from(), w.to(), w.limit()))
                .stream().map(Representations::visit).toList();
        return Answers.ok("salesmanId", salesmanId, "tenantId", tenantId, "count", visits.size(), "visits", visits);
    }

    /** A time window and a limit from the query: {@code from}/{@code to} epoch ms (default: the last 24 h). */
    record Window(long from, long to, int limit) {
    }

    static Window window(String fromParam, String toParam, String limitParam, Clock clock) {
        long to = epochMillis("to", toParam, clock.millis());
        long from = epochMillis("from", fromParam, Math.max(0, to - DEFAULT_WINDOW_MS));
        if (from > to) {
            throw ApiException.invalid("from", "from must not be after to");
        }
        long limit = epochMillis("limit", limitParam, DEFAULT_LIMIT);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.invalid("limit", "limit must be an integer in 1.." + MAX_LIMIT);
        }
        return new Window(from, to, (int) limit);
    }

    /** The salesman's tenant: from live presence, else from the last-seen table; 404 when never seen. */
    private String tenantOf(String salesmanId) {
        return presence.online(salesmanId).map(Presence.Online::tenantId)
                .or(() -> jdbi.withExtension(SalesmanDao.class, dao -> dao.find(salesmanId)).map(SalesmanRow::tenantId))
                .orElseThrow(() -> ApiException.notFound("salesman " + salesmanId + " was never seen"));
    }

    private static long epochMillis(String name, String value, long fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed < 0) {
                throw ApiException.invalid(name, name + " must not be negative");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ApiException.invalid(name, name + " must be an integer");
        }
    }
}
