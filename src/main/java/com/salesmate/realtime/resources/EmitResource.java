package com.salesmate.realtime.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.api.AlertEmitRequest;
import com.salesmate.realtime.api.BroadcastRequest;
import com.salesmate.realtime.api.DashboardRefreshRequest;
import com.salesmate.realtime.api.DomainEventRequest;
import com.salesmate.realtime.api.NotificationEmitRequest;
import com.salesmate.realtime.auth.Caller;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.core.Webhook;
import com.salesmate.realtime.hub.Events;
import com.salesmate.realtime.hub.NotificationService;
import com.salesmate.realtime.hub.Publisher;
import com.salesmate.realtime.webhooks.Webhooks;
import io.dropwizard.auth.Auth;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pushes from manager tools and services: notifications, alerts, dashboard refreshes, domain events, broadcasts. Each,
 * once its caller and body are checked, is admitted only while the node's event loops have room for more writes
 * ({@link EmitAdmission}).
 */
@Path(ApiPaths.ROOT)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class EmitResource {
    private final Publisher publisher;
    private final NotificationService notifications;
    private final Webhooks webhooks;
    private final Clock clock;
    private final EmitAdmission admission;

    public EmitResource(Publisher publisher, NotificationService notifications, Webhooks webhooks, Clock clock,
                        EmitAdmission admission) {
        this.publisher = publisher;
        this.notifications = notifications;
        this.webhooks = webhooks;
        this.clock = clock;
        this.admission = admission;
    }

    @POST
    @Path("/emit/notification")
    public Map<String, Object> notification(@Auth Caller caller, @NotNull @Valid NotificationEmitRequest body) {
        String tenantId = caller.resolveTenant(body.tenantId());
        // a notification reaches one salesman's sockets: admitted (or refused) like any emit, but it does not keep the
        // turn of held emits through its database insert
        admission.pass();
        NotificationService.Sent sent = notifications.send(tenantId, body.salesmanId(), body.title(), body.message(),
                body.type(), body.data());
        return Answers.ok("notificationId", sent.id(), "delivered", sent.delivered());
    }

    @POST
    @Path("/emit/alert")
    public Map<String, Object> alert(@Auth Caller caller, @NotNull @Valid AlertEmitRequest body) {
        String tenantId = caller.resolveTenant(body.tenantId());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("tenantId", tenantId);
        payload.put("message", body.message());
        payload.put("severity", body.severity() == null ? "info" : body.severity());
        payload.put("data", nullable(body.data()));
        // the turn is kept only while the fan-out is handed over: not through the count's wait nor the webhook report
        Publisher.Delivery delivery = admission.carryOut(() -> {
            payload.put("emittedAt", clock.millis());
            return publisher.toRoom(tenantId, Rooms.tenant(tenantId), Events.ALERT, payload);
        });
        Map<String, Object> answer = delivered(delivery);
        webhooks.report(tenantId, Webhook.ALERT_CREATED, payload, (long) payload.get("emittedAt"));
        return answer;
    }

    @POST
    @Path("/emit/dashboard-refresh")
    public Map<String, Object> dashboardRefresh(@Auth Caller caller, @NotNull @Valid DashboardRefreshRequest body) {
        String tenantId = caller.resolveTenant(body.tenantId());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("tenantId", tenantId);
        payload.put("scope", body.scope());
        return delivered(admission.carryOut(() -> {
            payload.put("emittedAt", clock.millis());
            return publisher.toRoom(tenantId, Rooms.tenant(tenantId), Events.DASHBOARD_REFRESH, payload);
        }));
    }

    @POST
    @Path("/emit/event")
    public Map<String, Object> event(@Auth Caller caller, @NotNull @Valid DomainEventRequest body) {
        String to = body.to() == null ? "tenant" : body.to();
        if ("salesman".equals(to) && body.salesmanId() == null) {
            throw ApiException.invalid("salesmanId", "salesmanId is required when to is salesman");
        }
        if (!"salesman".equals(to) && body.salesmanId() != null) {
            throw ApiException.invalid("salesmanId", "salesmanId goes with to: salesman; without it the event would reach "
                    + (body.to() == null ? "the whole tenant" : to));
        }
        String tenantId = caller.resolveTenant(body.tenantId());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("tenantId", tenantId);
        payload.put("data", nullable(body.data()));
        payload.put("emittedAt", clock.millis()); // stamped (and placed) before the salesmanId, as it always was
        String room = switch (to) {
            case "managers" -> Rooms.managers(tenantId);
            case "salesman" -> {
                payload.put("salesmanId", body.salesmanId());
                yield Rooms.salesman(tenantId, body.salesmanId());
            }
            default -> Rooms.tenant(tenantId);
        };
        return delivered(admission.carryOut(() -> {
            payload.put("emittedAt", clock.millis()); // the time it went out, if it waited
            return publisher.toRoom(tenantId, room, body.event(), payload);
        }));
    }

    @POST
    @Path("/broadcast")
    public Map<String, Object> broadcast(@Auth Caller caller, @NotNull @Valid BroadcastRequest body) {
        caller.requireAdmin();
        if (Events.RESERVED.contains(body.event())) {
            throw ApiException.invalid("event", "\"" + body.event() + "\" is a reserved event name");
        }
        // the cluster-wide count is awaited after the turn is handed on
        return delivered(admission.carryOut(() -> publisher.toEveryone(body.event(), nullable(body.data()))));
    }

    private static Object nullable(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    private static Map<String, Object> delivered(Publisher.Delivery delivery) {
        return Answers.ok("delivered", delivery.awaitTotal());
    }
}
