package com.salesmate.realtime.socketio;

import java.util.UUID;

/**
 * The library's side of one Engine.IO session, as the edge uses it: what the library keeps for a session (its
 * transports, packet queues, heartbeat timers) stays there, what the edge decides about the session is
 * {@link EdgeSession}'s. {@link ClientHeadSession} is netty-socketio's; a test may supply its own.
 */
interface LibrarySession {

    UUID id();

    /** True once the library has switched the session to its websocket ({@code 5} handled, or opened on it). */
    boolean upgraded();

    /**
     * A packet came from the client: the library's ping timeout starts again, as it does for the packets it reads
     * itself (the edge handles Socket.IO packets before the library sees them).
     */
    void heard();

    /** {@code websocket} or {@code polling}: the transport in use. */
    String transport();

    boolean pollingQueueEmpty();

    /** An event on the transport in use, after what is queued. */
    void event(String name, EncodedEvent encoded);

    /** An event into the websocket queue without writing it: {@link #websocketFlush()} writes it. */
    void queueOnWebsocket(String name, EncodedEvent encoded);

    /** The message that makes the library's encoder write the websocket queue. */
    Object websocketFlush();

    /** An acknowledgement of the client's event {@code ackId}. */
    void ack(long ackId, String json);

    /** The Socket.IO CONNECT answer with {@code sid}, and {@code pid} for connection state recovery unless null. */
    void connected(String sid, String pid);

    /** A CONNECT_ERROR for {@code nsp} ("" for the main namespace). */
    void connectError(String nsp, Object data);

    /** Socket.IO DISCONNECT ({@code 41}), after what is queued. */
    void disconnect();

    /** Engine.IO CLOSE ({@code 1}), after what is queued. */
    void close();

    /** Engine.IO NOOP ({@code 6}) on the polling transport: answers a waiting poll with nothing. */
    void noop();

    /** Ends the library's session: its sid is unknown to it from now on, its timers and channels released. */
    void end();
}
