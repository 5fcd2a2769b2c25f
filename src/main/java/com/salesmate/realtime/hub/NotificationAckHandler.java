package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.api.NotificationAckReply;
import com.salesmate.realtime.api.NotificationAckRequest;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Identity;

/** {@code notification:ack}: the salesman a notification belongs to marks it delivered. */
class NotificationAckHandler {
    private final Payloads payloads;
    private final NotificationService notifications;

    NotificationAckHandler(Payloads payloads, NotificationService notifications) {
        this.payloads = payloads;
        this.notifications = notifications;
    }

    /** Runs on the blocking executor (it writes to the database). */
    void onAck(Connection connection, JsonNode payload, Ack ack) {
        NotificationAckRequest request = payloads.read(Events.NOTIFICATION_ACK, payload, NotificationAckRequest.class);
        Identity identity = connection.identity();
        if (!identity.isSalesman()) {
            throw ApiException.forbidden("only the salesman a notification belongs to may acknowledge it");
        }
        notifications.ack(identity.tenantId(), identity.salesmanId(), request.id());
        Replies.ack(ack, new NotificationAckReply(request.id()));
    }
}
