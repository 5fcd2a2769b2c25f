package com.salesmate.realtime.api;

/** The ack of {@code notification:ack}: the notification now marked delivered. */
public record NotificationAckReply(boolean success, String id) {

    public NotificationAckReply(String id) {
        this(true, id);
    }
}
