package com.salesmate.realtime.api;

/** The ack of {@code location:update}, sent once the point is committed; {@code id} as a string. */
public record LocationReply(boolean success, String id, long receivedAt, boolean duplicate) {

    public LocationReply(String id, long receivedAt, boolean duplicate) {
        this(true, id, receivedAt, duplicate);
    }
}
