package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.api.ConnectError;

import java.util.concurrent.CompletionStage;

/** What the Socket.IO edge tells the hub, in the order it happens to a socket. */
public interface SocketEvents {

    /** An Engine.IO session opened: the hub registers it (and starts its authentication timeout). */
    Connection opened(Link link);

    /**
     * The socket's only CONNECT packet, with its {@code auth} object (or null). Completes with null when accepted, else
     * with the CONNECT_ERROR data to send, after which the edge ends the session. Completes at once, except for a
     * salesman whose tenant binding must first be written or read, and a recovering socket whose session another node
     * must first let go (then on another thread).
     */
    CompletionStage<ConnectError> connecting(Connection connection, JsonNode auth);

    /** The CONNECT answer has been queued: what follows it (e.g. {@code authenticated}) may go out. */
    void connected(Connection connection);

    /** A client event, with its ack id when the client wants an acknowledgement. */
    void event(Connection connection, String name, JsonNode payload, Long ackId);
}
