package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.fasterxml.jackson.databind.util.RawValue;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.DisconnectReason;
import com.salesmate.realtime.hub.Link;
import com.salesmate.realtime.hub.OutboundEvent;
import com.salesmate.realtime.hub.SocketEvents;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Engine.IO session as the edge keeps it: the library's {@link ClientHead}, the hub's {@link Connection}, the
 * channels in use, what is queued for the client. It is the hub's {@link Link}: it writes events and acks as
 * packets, holds the socket to its outbound limit, and closes the session for real when asked — the library's own
 * disconnect only sends {@code 41}.
 */
final class EdgeSession implements Link {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeSession.class);
    /** Rough framing of an event packet around its name and payload ({@code 42["",]} and the separator). */
    private static final int EVENT_OVERHEAD = 8;

    private final ClientHead head;
    private final EdgeSessions.Slot slot;
    private final EdgeSessions table;
    private final EdgeLimits limits;
    private final ScheduledExecutorService timers;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean tornDown = new AtomicBoolean();
    private final AtomicLong pollingQueued = new AtomicLong();
    private volatile Connection connection;
    private final AtomicBoolean namespaceConnected = new AtomicBoolean();
    private final AtomicBoolean malformedLogged = new AtomicBoolean();
    private volatile Channel websocket;
    private volatile Channel pendingPoll;

    EdgeSession(ClientHead head, EdgeSessions.Slot slot, EdgeSessions table, EdgeLimits limits,
                ScheduledExecutorService timers) {
        this.head = head;
        this.slot = slot;
        this.table = table;
        this.limits = limits;
        this.timers = timers;
    }

    /** Registers the session with the hub. */
    void open(SocketEvents hub) {
        connection = hub.opened(this);
    }

    UUID sessionId() {
        return head.getSessionId();
    }

    ClientHead head() {
        return head;
    }

    EdgeSessions.Slot slot() {
        return slot;
    }

    Connection connection() {
        return connection;
    }

    boolean isClosing() {
        return closing.get();
    }

    boolean isUpgraded() {
        return head.getCurrentTransport() == Transport.WEBSOCKET;
    }

    boolean namespaceConnected() {
        return namespaceConnected.get();
    }

    /** True for the session's first CONNECT to the main namespace only (two POSTs may race on two event loops). */
    boolean connectOnce() {
        return namespaceConnected.compareAndSet(false, true);
    }

    /** True the first time only: undecodable input is logged at most once per connection. */
    boolean firstMalformed() {
        return malformedLogged.compareAndSet(false, true);
    }

    void websocket(Channel channel) {
        this.websocket = channel;
    }

    Channel websocket() {
        return websocket;
    }

    /** Claims the session's one pending poll; false when another GET is already waiting. */
    synchronized boolean claimPoll(Channel channel) {
        Channel current = pendingPoll;
        if (current != null && current.isActive() && current != channel) {
            return false;
        }
        pendingPoll = channel;
        return true;
    }

    synchronized void pollDone(Channel channel) {
        if (pendingPoll == channel) {
            pendingPoll = null;
        }
    }

    /**
     * A polling response of {@code bytes} left for the client: that much of the queue is no longer held here. A closing
     * session whose last packets have all left is finished.
     */
    void drained(long bytes) {
        if (head.getPacketsQueue(Transport.POLLING).isEmpty()) {
            pollingQueued.set(0);
            if (closing.get()) {
                finish();
            }
        } else {
            pollingQueued.updateAndGet(q -> Math.max(0, q - bytes));
        }
    }

    @Override
    public String transport() {
        return head.getCurrentTransport().name().toLowerCase();
    }

    @Override
    public boolean send(OutboundEvent event) {
        return send(event, EncodedEvent.of(event), null);
    }

    /**
     * Queues {@code event}, encoded once by the caller; during a fan-out ({@code writes} not null) an upgraded session
     * is written with the fan-out's other recipients, otherwise through the library's queue.
     */
    boolean send(OutboundEvent event, EncodedEvent encoded, GroupedWrites writes) {
        if (closing.get() || !namespaceConnected.get()) {
            return false; // nothing is said to a namespace the client has not connected to
        }
        long size = event.name().length() + (long) event.length() + EVENT_OVERHEAD;
        long queued = queuedBytes();
        if (queued + size > limits.maxQueuedPerSocket()) {
            LOG.warn("connection {} disconnected as a slow consumer: {} bytes queued, limit {}",
                    connection == null ? "-" : connection.id(), queued, limits.maxQueuedPerSocket());
            closeConnection(DisconnectReason.SLOW_CONSUMER);
            return false;
        }
        Channel ws = websocket;
        if (writes != null && ws != null && isUpgraded()) {
            if (writes.shareable()) {
                writes.frame(this, ws);
            } else {
                head.getPacketsQueue(Transport.WEBSOCKET).add(eventPacket(event, encoded));
                writes.queued(this, ws);
            }
            return true;
        }
        write(eventPacket(event, encoded), size);
        return true;
    }

    @Override
    public void ack(long ackId, String json) {
        if (closing.get()) {
            return;
        }
        Packet packet = packet(PacketType.ACK);
        packet.setAckId(ackId);
        packet.setData(List.of(new RawValue(json)));
        write(packet, json.length() + EVENT_OVERHEAD);
    }

    /** The Socket.IO CONNECT answer; its {@code sid} is the opaque connection id, never the Engine.IO session id. */
    void sendConnected() {
        Packet packet = packet(PacketType.CONNECT);
        packet.setData(Map.of("sid", connection.id()));
        head.send(packet);
    }

    /** A CONNECT_ERROR for {@code nsp} ("" for the main namespace). */
    void sendConnectError(String nsp, Object data) {
        Packet packet = packet(PacketType.ERROR);
        packet.setNsp(nsp);
        packet.setData(data);
        head.send(packet);
    }

    private void write(Packet packet, long size) {
        if (!isUpgraded()) {
            pollingQueued.addAndGet(size);
        }
        head.send(packet);
    }

    /** Bytes held for the client now: Netty's outbound buffer on websocket, the packet queue on polling. */
    private long queuedBytes() {
        Channel ws = websocket;
        if (isUpgraded() && ws != null) {
            ChannelOutboundBuffer buffer = ws.unsafe().outboundBuffer();
            return buffer == null ? 0 : buffer.totalPendingWriteBytes();
        }
        return pollingQueued.get();
    }

    private Packet eventPacket(OutboundEvent event, EncodedEvent encoded) {
        Packet packet = packet(PacketType.EVENT);
        packet.setName(event.name());
        packet.setData(List.of(encoded)); // SocketJson writes the bytes
        return packet;
    }

    private Packet packet(PacketType subType) {
        Packet packet = new Packet(PacketType.MESSAGE, EngineIOVersion.V4);
        packet.setSubType(subType);
        packet.setNsp("");
        return packet;
    }

    /** An edge decision (protocol error, limit): through the hub, so that it forgets the socket first. */
    void closeConnection(DisconnectReason reason) {
        Connection c = connection;
        if (c != null) {
            c.close(reason);
        } else {
            close(reason, true);
        }
    }

    /** The client or its transport ended the session. */
    void closedByClient(DisconnectReason reason) {
        Connection c = connection;
        if (c != null) {
            c.closed(reason);
        } else {
            close(reason, false);
        }
    }

    @Override
    public void close(DisconnectReason reason, boolean notify) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        notify &= namespaceConnected.get();
        if (notify) {
            head.send(packet(PacketType.DISCONNECT));
        }
        Channel ws = websocket;
        if (isUpgraded() && ws != null) {
            table.remove(this);
            WebSocketCloseStatus status = switch (reason) {
                case PROTOCOL_ERROR -> WebSocketCloseStatus.PROTOCOL_ERROR;
                case PAYLOAD_TOO_LARGE -> WebSocketCloseStatus.MESSAGE_TOO_BIG;
                case SLOW_CONSUMER, ABUSE -> WebSocketCloseStatus.POLICY_VIOLATION;
                default -> WebSocketCloseStatus.NORMAL_CLOSURE;
            };
            // after the packets already queued on the channel's loop; the client answers the close frame (and the library
            // then closes the connection) or it is cut after the bound
            ws.eventLoop().execute(() -> {
                if (ws.isActive()) {
                    ws.writeAndFlush(new CloseWebSocketFrame(status));
                }
            });
            ws.eventLoop().schedule(() -> ws.close(), limits.closeTimeoutMillis(), TimeUnit.MILLISECONDS);
            tornDown.set(true);
            return;
        }
        slot.release(); // a closing session no longer counts against the limits
        Channel poll = pendingPoll;
        boolean waiting = poll != null && poll.isActive();
        // a server decision has last packets to deliver (the reason, a CONNECT_ERROR, 41); a client that left has none
        boolean flush = notify || reason.isServerDecision() || waiting;
        if (flush) {
            head.send(new Packet(PacketType.CLOSE, EngineIOVersion.V4)); // after them
        } else {
            finish();
            return;
        }
        // the waiting poll (or the next one) carries the last packets, then the session is finished (see drained);
        // a client that does not poll again is cut after the bound
        timers.schedule(this::finish, limits.closeTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isFinished() {
        return tornDown.get();
    }

    /**
     * Lets one more poll of a closing polling session reach the library, to carry the packets still queued, and then
     * finishes the session; false (nothing forwarded) when there is nothing left or it is finished already.
     * Ordered with {@link #finish()}: the library must not lose the session while it serves that poll.
     */
    synchronized boolean lastPoll(Runnable forward) {
        if (tornDown.get() || head.getPacketsQueue(Transport.POLLING).isEmpty()) {
            return false;
        }
        forward.run();
        finish();
        return true;
    }

    /** Ends the library's session: its sid is unknown from now on, its timers and channels released. */
    synchronized void finish() {
        if (!tornDown.compareAndSet(false, true)) {
            return;
        }
        table.remove(this);
        head.onChannelDisconnect();
        Channel ws = websocket;
        if (ws != null) {
            ws.close();
        }
    }
}
