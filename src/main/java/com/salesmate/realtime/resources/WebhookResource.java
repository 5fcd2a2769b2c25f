package com.salesmate.realtime.resources;

import com.salesmate.realtime.api.WebhookRequest;
import com.salesmate.realtime.auth.Caller;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Ids;
import com.salesmate.realtime.core.Webhook;
import com.salesmate.realtime.persistence.WebhookDao;
import com.salesmate.realtime.webhooks.Webhooks;
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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's webhook endpoints (SPEC 10) and their delivery log. The tenant is the credential's, or {@code tenantId}
 * (in the body of a PUT, in the query otherwise; required with the admin key). The secret is shown once, in the answer
 * to the PUT that generated it; never by a GET.
 */
@Path(ApiPaths.ROOT + "/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {
    static final int DEFAULT_DELIVERIES = 100;
    static final int MAX_DELIVERIES = 1000;

    private final Webhooks webhooks;

    public WebhookResource(Webhooks webhooks) {
        this.webhooks = webhooks;
    }

    @PUT
    @Path("/{webhookId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> put(@Auth Caller caller, @PathParam("webhookId") String webhookId,
                                   @NotNull @Valid WebhookRequest body) {
        Ids.require("webhookId", webhookId);
        String tenantId = caller.resolveTenant(body.tenantId());
        Webhooks.Saved saved = webhooks.put(tenantId, webhookId, body);
        return saved.generatedSecret() == null
                ? Answers.ok("created", saved.created(), "webhook", describe(saved.webhook()))
                : Answers.ok("created", saved.created(), "webhook", describe(saved.webhook()),
                        "secret", saved.generatedSecret());
    }

    @GET
    @Path("/{webhookId}")
    public Map<String, Object> get(@Auth Caller caller, @PathParam("webhookId") String webhookId,
                                   @QueryParam("tenantId") String tenantParam) {
        Ids.require("webhookId", webhookId);
        String tenantId = Queries.tenant(caller, tenantParam);
        return Answers.ok("webhook", describe(webhooks.find(tenantId, webhookId)
                .orElseThrow(() -> notFound(webhookId))));
    }

    @GET
    public Map<String, Object> list(@Auth Caller caller, @QueryParam("tenantId") String tenantParam) {
        String tenantId = Queries.tenant(caller, tenantParam);
        List<Map<String, Object>> all = webhooks.list(tenantId).stream().map(WebhookResource::describe).toList();
        return Answers.ok("tenantId", tenantId, "count", all.size(), "webhooks", all);
    }

    @DELETE
    @Path("/{webhookId}")
    public Map<String, Object> delete(@Auth Caller caller, @PathParam("webhookId") String webhookId,
                                      @QueryParam("tenantId") String tenantParam) {
        Ids.require("webhookId", webhookId);
        String tenantId = Queries.tenant(caller, tenantParam);
        if (!webhooks.delete(tenantId, webhookId)) {
            throw notFound(webhookId);
        }
        return Answers.ok("webhookId", webhookId, "deleted", true);
    }

    /** Every delivery attempt to the endpoint, newest first. */
    @GET
    @Path("/{webhookId}/deliveries")
    public Map<String, Object> deliveries(@Auth Caller caller, @PathParam("webhookId") String webhookId,
                                          @QueryParam("tenantId") String tenantParam,
                                          @QueryParam("limit") String limitParam) {
        Ids.require("webhookId", webhookId);
        String tenantId = Queries.tenant(caller, tenantParam);
        int limit = Queries.limit(limitParam, DEFAULT_DELIVERIES, MAX_DELIVERIES);
        webhooks.find(tenantId, webhookId).orElseThrow(() -> notFound(webhookId));
        List<Map<String, Object>> log = webhooks.deliveries(tenantId, webhookId, limit).stream()
                .map(WebhookResource::describe).toList();
        return Answers.ok("webhookId", webhookId, "tenantId", tenantId, "count", log.size(), "deliveries", log);
    }

    static Map<String, Object> describe(Webhook w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("webhookId", w.webhookId());
        m.put("tenantId", w.tenantId());
        m.put("url", w.url());
        m.put("events", w.eventList());
        m.put("enabled", w.enabled());
        m.put("disabledAt", w.disabledAt());
        m.put("disabledReason", w.disabledReason());
        m.put("createdAt", w.createdAt());
        m.put("updatedAt", w.updatedAt());
        return m;
    }

    static Map<String, Object> describe(WebhookDao.Delivery d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("messageId", d.messageId());
        m.put("type", d.type());
        m.put("attempt", d.attempt());
        m.put("at", d.at());
        m.put("status", d.status());
        m.put("outcome", d.outcome());
        m.put("error", d.error());
        m.put("durationMs", d.durationMs());
        return m;
    }

    private static ApiException notFound(String webhookId) {
        return ApiException.notFound("no webhook " + webhookId + " in this tenant");
    }
}
