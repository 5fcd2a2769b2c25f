package com.salesmate.realtime.socketio;

import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.DisconnectReason;
import com.salesmate.realtime.hub.Link;
import com.salesmate.realtime.hub.OutboundEvent;
import io.netty.channel.Channel;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Socket.IO socket on an Engine.IO session: the hub's {@link Link} for one {@link Connection}. Its session is
 * open before the client CONNECTs and may outlive it: after a client's {@code 41} this socket is left (the hub
 * forgets its connection; nothing more reaches the client through it, and its close no longer ends the session)
 * while the session stays, and the next CONNECT is another socket's.
 */
final class SocketLink implements Link {
    private final EdgeSession session;
    private final AtomicBoolean connected = new AtomicBoolean();
    private volatile boolean left;
    private volatile boolean answered;
    private volatile Connection connection;

    SocketLink(EdgeSession session) {
        this.session = session;
    }

    /** The hub's connection of this socket, set once the hub has registered it. */
    void attach(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    /** The session's websocket, once upgraded (null before). */
    Channel websocket() {
        return session.websocket();
    }

    /** True for the socket's first CONNECT only (two POSTs may race on two event loops). */
    boolean connectOnce() {
        return connected.compareAndSet(false, true);
    }

    /** Its CONNECT has been answered: from now on its events are handled (before, they are not, as Node's server). */
    void answered() {
        answered = true;
    }

    boolean isAnswered() {
        return answered;
    }

    /** Connected to the main namespace and not left: events may be written to the client. */
    boolean isConnected() {
        return connected.get() && !left;
    }

    /** The client left the namespace ({@code 41}): from now on this socket neither writes nor closes the session. */
    void leave() {
        left = true;
    }

    @Override
    public String transport() {
        return session.transport();
    }

    @Override
    public boolean send(OutboundEvent event) {
        return send(event, EncodedEvent.of(event), null);
    }

    /** {@link #send(OutboundEvent)} with the event encoded once by a fan-out, which may group the write. */
    boolean send(OutboundEvent event, EncodedEvent encoded, GroupedWrites writes) {
        // nothing is said to a namespace the client has not connected to (or has left)
        return isConnected() && session.send(event, encoded, writes);
    }

    @Override
    public void ack(long ackId, String json) {
        if (!left) {
            session.ack(ackId, json);
        }
    }

    @Override
    public void close(DisconnectReason reason, boolean notify) {
        if (!left) {
            session.close(reason, notify && connected.get());
        }
    }
}
