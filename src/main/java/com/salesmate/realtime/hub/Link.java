package com.salesmate.realtime.hub;

/**
 * The transport side of one socket, supplied by the Socket.IO edge: how to reach the client and how to end its
 * session. The hub never sees the library behind it.
 */
public interface Link {

    /** {@code websocket} or {@code polling}: the transport in use now. */
    String transport();

    /** Queues one event for the client; false when it was not queued (the session is closing or over its limit). */
    boolean send(OutboundEvent event);

    /** Queues an acknowledgement of the client's event {@code ackId}. */
    void ack(long ackId, String json);

    /**
     * Ends the session. With {@code notify} the client is told ({@code 41}) after whatever is already queued, and the
     * transport is closed within a short bound; without, the transport is closed at once. Idempotent.
     */
    void close(DisconnectReason reason, boolean notify);
}
