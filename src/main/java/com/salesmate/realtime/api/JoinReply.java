package com.salesmate.realtime.api;

/** The ack of {@code join:tenant} / {@code join:salesman}: the room the socket is in. */
public record JoinReply(boolean success, String room) {

    public JoinReply(String room) {
        this(true, room);
    }
}
