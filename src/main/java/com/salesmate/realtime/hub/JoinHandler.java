package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.api.JoinSalesmanRequest;
import com.salesmate.realtime.api.JoinReply;
import com.salesmate.realtime.api.JoinTenantRequest;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;
import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Rooms;

/**
 * {@code join:tenant} and {@code join:salesman}, kept for existing clients. Idempotent and authorised by the token:
 * a salesman joins only his own tenant and salesman room, a manager his own tenant and any salesman room in it.
 */
class JoinHandler {
    private final Payloads payloads;
    private final ConnectionRegistry registry;
    private final Membership membership;
    private final int maxRooms;

    JoinHandler(Payloads payloads, ConnectionRegistry registry, Membership membership, int maxRooms) {
        this.payloads = payloads;
        this.registry = registry;
        this.membership = membership;
        this.maxRooms = maxRooms;
    }

    void onJoinTenant(Connection connection, JsonNode payload, Ack ack) {
        JoinTenantRequest request = payloads.read(Events.JOIN_TENANT, payload, JoinTenantRequest.class);
        Identity identity = connection.identity();
        if (!identity.tenantId().equals(request.tenantId())) {
            throw ApiException.forbidden("a token of tenant " + identity.tenantId() + " cannot join another tenant");
        }
        joined(connection, ack, Rooms.tenant(identity.tenantId()));
    }

    void onJoinSalesman(Connection connection, JsonNode payload, Ack ack) {
        JoinSalesmanRequest request = payloads.read(Events.JOIN_SALESMAN, payload, JoinSalesmanRequest.class);
        Identity identity = connection.identity();
        if (request.tenantId() != null && !identity.tenantId().equals(request.tenantId())) {
            throw ApiException.forbidden("a token of tenant " + identity.tenantId() + " cannot join another tenant");
        }
        if (identity.isSalesman() && !identity.salesmanId().equals(request.salesmanId())) {
            throw ApiException.forbidden("a salesman may join only his own salesman room");
        }
        joined(connection, ack, Rooms.salesman(identity.tenantId(), request.salesmanId()));
    }

    private void joined(Connection connection, Ack ack, String room) {
        // joins run on the socket's event-loop thread, one at a time per socket: the check and the join do not race
        if (!connection.rooms().contains(room) && connection.rooms().size() >= maxRooms) {
            throw new ApiException(ErrorCode.RATE_LIMITED, "a socket may be in at most " + maxRooms + " rooms");
        }
        if (registry.join(connection, room)) {
            membership.joined(connection, room);
        }
        Replies.ack(ack, new JoinReply(room));
    }
}
