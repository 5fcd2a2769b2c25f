package com.salesmate.realtime.resources;

import com.salesmate.realtime.api.SiteRequest;
import com.salesmate.realtime.auth.Caller;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Ids;
import com.salesmate.realtime.core.Site;
import com.salesmate.realtime.persistence.VisitDao;
import com.salesmate.realtime.visits.Sites;
import io.dropwizard.auth.Auth;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A tenant's customer sites (SPEC 10). A site id is the tenant's own; the tenant is the credential's, or
 * {@code tenantId} (in the body of a PUT, in the query otherwise: required with the admin key).
 */
@Path(ApiPaths.ROOT + "/sites")
@Produces(MediaType.APPLICATION_JSON)
public class SiteResource {
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;

    private final Sites sites;
    private final Jdbi jdbi;
    private final Clock clock;

    public SiteResource(Sites sites, Jdbi jdbi, Clock clock) {
        this.sites = sites;
        this.jdbi = jdbi;
        this.clock = clock;
    }

    @PUT
    @Path("/{siteId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> put(@Auth Caller caller, @PathParam("siteId") String siteId,
                                   @NotNull @Valid SiteRequest body) {
        Ids.require("siteId", siteId);
        String tenantId = caller.resolveTenant(body.tenantId());
        Sites.Written written = sites.put(tenantId, siteId, body);
        return Answers.ok("created", written.created(), "site", Representations.site(written.site()));
    }

    @GET
    @Path("/{siteId}")
    public Map<String, Object> get(@Auth Caller caller, @PathParam("siteId") String siteId,
                                   @QueryParam("tenantId") String tenantParam) {
        Ids.require("siteId", siteId);
        String tenantId = Queries.tenant(caller, tenantParam);
        Site site = sites.find(tenantId, siteId).orElseThrow(() -> notFound(siteId));
        return Answers.ok("site", Representations.site(site));
    }

    @DELETE
    @Path("/{siteId}")
    public Map<String, Object> delete(@Auth Caller caller, @PathParam("siteId") String siteId,
                                      @QueryParam("tenantId") String tenantParam) {
        Ids.require("siteId", siteId);
        String tenantId = Queries.tenant(caller, tenantParam);
        if (!sites.delete(tenantId, siteId)) {
            throw notFound(siteId);
        }
        return Answers.ok("siteId", siteId, "deleted", true);
    }

    /** The site's visits that arrived in the window, oldest first (the site may since have been deleted). */
    @GET
    @Path("/{siteId}/visits")
    public Map<String, Object> visits(@Auth Caller caller, @PathParam("siteId") String siteId,
                                      @QueryParam("tenantId") String tenantParam, @QueryParam("from") String fromParam,
                                      @QueryParam("to") String toParam, @QueryParam("limit") String limitParam) {
        Ids.require("siteId", siteId);
        String tenantId = Queries.tenant(caller, tenantParam);
        Queries.Window w = Queries.window(fromParam, toParam, limitParam, DEFAULT_LIMIT, MAX_LIMIT, clock);
        List<Map<String, Object>> visits = jdbi.withExtension(VisitDao.class,
                        dao -> dao.ofSite(tenantId, siteId, w.from(), w.to(), w.limit()))
                .stream().map(Representations::visit).toList();
        return Answers.ok("siteId", siteId, "tenantId", tenantId, "count", visits.size(), "visits", visits);
    }

    /** A page of the tenant's sites in id order; {@code next} is the {@code after} of the next page (null: last). */
    @GET
    public Map<String, Object> list(@Auth Caller caller, @QueryParam("tenantId") String tenantParam,
                                    @QueryParam("after") String after, @QueryParam("limit") String limitParam) {
        String tenantId = Queries.tenant(caller, tenantParam);
        if (after != null && !after.isEmpty()) {
            Ids.require("after", after);
        }
        int limit = Queries.limit(limitParam, DEFAULT_LIMIT, MAX_LIMIT);
        List<Site> page = sites.page(tenantId, after, limit);
        String next = page.size() == limit ? page.get(page.size() - 1).siteId() : null;
        return Answers.ok("tenantId", tenantId, "count", page.size(),
                "sites", page.stream().map(Representations::site).toList(), "next", next);
    }

    private static ApiException notFound(String siteId) {
        return ApiException.notFound("no site " + siteId + " in this tenant");
    }
}
