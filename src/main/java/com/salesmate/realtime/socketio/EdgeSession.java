package com.salesmate.realtime.socketio;

import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.DisconnectReason;
import com.salesmate.realtime.hub.OutboundEvent;
import com.salesmate.realtime.hub.SocketEvents;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One Engine.IO session as the edge keeps it, with one explicit {@link State}: the library's session behind
 * {@link LibrarySession}, the Socket.IO socket on it ({@link SocketLink}, the hub's link), the channels in use and what
 * is queued for the client. It holds the socket to its outbound limit and closes the session for real — the
 * library's own disconnect only sends {@code 41}.
 *
 * <pre>
 * OPENING --handshake answered--> OPEN --websocket with the sid--> UPGRADING --"5"--> OPEN (upgraded)
 *                                  |                                  |  \--probe socket gone--> OPEN (polling)
 *                                  +--------------+-------------------+
 *                                                 v
 *                     CLOSING (last packets queued after the others) --they left, or closeTimeout--> CLOSED
 * </pre>
 *
 * The one rule for ending: {@link #close} moves to CLOSING once, queues the last packets ({@code 41} for a connected
 * socket, then Engine.IO's close on polling) after whatever is queued already, and the session is CLOSED when they
 * have left (websocket: a close frame follows them on the channel's loop; polling: the poll that drains the queue) or
 * after {@code closeTimeout}, whichever comes first. CLOSED: the sid is unknown, the slot released, the library's
 * session ended.
 */
final class EdgeSession {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeSession.class);
    /** Rough framing of an event packet around its name and payload ({@code 42["",]} and the separator). */
    private static final int EVENT_OVERHEAD = 8;

    /** Where the session is in its life; see the class comment for the transitions. */
    enum State { OPENING, OPEN, UPGRADING, CLOSING, CLOSED }

    /** What a GET poll may do now. */
    enum Poll { CLAIMED, ANOTHER_WAITING, UPGRADED }

    private final LibrarySession library;
    private final EdgeSessions.Slot slot;
    private final EdgeSessions table;
    private final EdgeLimits limits;
    private final SocketEvents hub;
    private final ScheduledExecutorService timers;
    private final AtomicReference<State> state = new AtomicReference<>(State.OPENING);
    private final AtomicLong pollingQueued = new AtomicLong();
    private final AtomicBoolean malformedLogged = new AtomicBoolean();
    /** Held while a batch of the client's packets is read: batches of one session are read one at a time. */
    private final Object inbound = new Object();
    /** Found over its outbound limit: nothing more is queued, and its close is on its way. */
    private final AtomicBoolean slow = new AtomicBoolean();
    private final AtomicLong leaves = new AtomicLong();
    /** The Socket.IO socket on the session; null after the client left the namespace, until it CONNECTs again. */
    private volatile SocketLink socket;
    private volatile Channel websocket;
    private volatile boolean upgraded;
    private final long openedAt = System.nanoTime();
    private volatile long lastHeard = openedAt;
    /** A socket of this session authenticated once: after a 41 it may come back; else the auth bound is the session's. */
    private volatile boolean everAuthenticated;
    /** Set on the websocket's loop when its last packets are written ({@link #lastPacketsWritten}). */
    private volatile boolean lastWritten;
    /** The GET poll waiting for packets; guarded by this. */
    private Channel pendingPoll;

    EdgeSession(LibrarySession library, EdgeSessions.Slot slot, EdgeSessions table, EdgeLimits limits, SocketEvents hub,
                ScheduledExecutorService timers) {
        this.library = library;
        this.slot = slot;
        this.table = table;
        this.limits = limits;
        this.hub = hub;
        this.timers = timers;
    }

    // ------------------------------------------------------------------------------------------------------ opening

    /**
     * OPENING to OPEN: the handshake answer is about to leave. The first socket is registered with the hub, which holds
     * it to the authentication timeout (the bound on a session that never CONNECTs); {@code websocket} is the channel
     * of a handshake made over websocket, else null.
     */
    void open(Channel websocket) {
        if (websocket != null) {
            this.websocket = websocket;
            this.upgraded = true;
        }
        newSocket();
        state.compareAndSet(State.OPENING, State.OPEN);
    }

    private void newSocket() {
        SocketLink next = new SocketLink(this);
        next.attach(hub.opened(next)); // registered with the hub before anything can find it on the session
        socket = next;
    }

    /**
     * The socket a CONNECT is for: the one on the session, or a new one after the client left the namespace. A new one
     * costs a handshake of the address's bucket, as a new connection would (a client cycling {@code 41}/{@code 40} is
     * held to the rate of one reconnecting: past it the session is closed as abuse), and a session none of whose
     * sockets ever authenticated gets none once it is older than the authentication timeout (closed as auth_timeout):
     * leaving and connecting again does not restart that bound. Null when the session was closed.
     */
    SocketLink socketForConnect() {
        DisconnectReason refused;
        synchronized (this) {
            if (socket != null) {
                return socket;
            }
            if (!everAuthenticated
                    && System.nanoTime() - openedAt > TimeUnit.MILLISECONDS.toNanos(limits.connectTimeoutMillis())) {
                refused = DisconnectReason.AUTH_TIMEOUT;
            } else if (!table.allowHandshake(slot.address())) {
                refused = DisconnectReason.ABUSE;
            } else {
                newSocket();
                return socket;
            }
        }
        close(refused, false);
        return null;
    }

    UUID sessionId() {
        return library.id();
    }

    LibrarySession library() {
        return library;
    }

    EdgeSessions.Slot slot() {
        return slot;
    }

    State state() {
        return state.get();
    }

    /** The Socket.IO socket on this session now; null after the client left the namespace. */
    SocketLink socket() {
        return socket;
    }

    /** The hub's connection of the socket on this session now. */
    Connection connection() {
        SocketLink s = socket;
        return s == null ? null : s.connection();
    }

    boolean isClosing() {
        State s = state.get();
        return s == State.CLOSING || s == State.CLOSED;
    }

    boolean isFinished() {
        return state.get() == State.CLOSED;
    }

    /** The library writes to the websocket now (it handled {@code 5}, or the session began on it). */
    boolean isUpgraded() {
        return library.upgraded();
    }

    String transport() {
        return library.transport();
    }

    Channel websocket() {
        return websocket;
    }

    /** The lock under which a batch of the client's packets is read. */
    Object inbound() {
        return inbound;
    }

    /** True the first time only: undecodable input is logged at most once per connection. */
    boolean firstMalformed() {
        return malformedLogged.compareAndSet(false, true);
    }

    // -------------------------------------------------------------------------------------------------- heartbeat

    /**
     * A packet came from the client: the heartbeat's deadline moves, here and in the library (any packet shows the
     * client is alive, as in the official server).
     */
    void heard() {
        lastHeard = System.nanoTime();
        library.heard();
    }

    /**
     * True when the client has been silent for {@code pingInterval + pingTimeout} at {@code now}: the session is over
     * exactly then, whenever the library's coarser timer gets to it.
     */
    boolean expired(long now) {
        return now - lastHeard > limits.heartbeatTimeoutNanos();
    }

    // ---------------------------------------------------------------------------------------------------- upgrade

    /**
     * OPEN to UPGRADING: {@code channel} is the websocket the client probes with. False when the session is upgraded
     * already, upgrading on another websocket, or closing: that websocket is not the session's.
     */
    synchronized boolean upgrading(Channel channel) {
        if (upgraded || !state.compareAndSet(State.OPEN, State.UPGRADING)) {
            return false;
        }
        websocket = channel;
        return true;
    }

    /**
     * UPGRADING to OPEN on the websocket: the library has handled {@code 5}. A GET poll still waiting is answered with
     * a noop (polling is over for this session; later polls get 400).
     */
    synchronized void upgraded() {
        upgraded = true;
        state.compareAndSet(State.UPGRADING, State.OPEN);
        Channel poll = pendingPoll;
        if (poll != null && poll.isActive()) {
            library.noop();
        }
    }

    /** The websocket {@code channel} closed: if it was a probe that never upgraded, the session is polling again. */
    synchronized void websocketClosed(Channel channel) {
        if (!upgraded && websocket == channel) {
            websocket = null;
            state.compareAndSet(State.UPGRADING, State.OPEN);
        }
    }

    // ---------------------------------------------------------------------------------------------------- polling

    /** Claims the session's one waiting poll for {@code channel}. */
    synchronized Poll claimPoll(Channel channel) {
        if (upgraded) {
            return Poll.UPGRADED;
        }
        Channel current = pendingPoll;
        if (current != null && current.isActive() && current != channel) {
            return Poll.ANOTHER_WAITING;
        }
        pendingPoll = channel;
        return Poll.CLAIMED;
    }

    synchronized void pollDone(Channel channel) {
        if (pendingPoll == channel) {
            pendingPoll = null;
        }
    }

    private synchronized boolean pollWaiting() {
        return pendingPoll != null && pendingPoll.isActive();
    }

    /**
     * A polling response of {@code bytes} left for the client: that much of the queue is no longer held here. A closing
     * session whose last packets have all left is finished.
     */
    void drained(long bytes) {
        if (library.pollingQueueEmpty()) {
            pollingQueued.set(0);
            if (state.get() == State.CLOSING) {
                finish();
            }
        } else {
            pollingQueued.updateAndGet(q -> Math.max(0, q - bytes));
        }
    }

    /**
     * Lets one more poll of a closing polling session reach the library, to carry packets still queued; false (nothing
     * forwarded) when there is nothing left, it is finished already, or another poll already waits for them. A poll
     * carries at most 50 packets ({@link PollingPayloads}): the session is finished when a poll has carried the last
     * of them ({@link #drained}), or after the close bound, so that a client that reads on gets every packet sent
     * before the close. Ordered with {@link #finish()}: the library must not lose the session while it serves a poll.
     */
    synchronized boolean lastPoll(Channel channel, Runnable forward) {
        boolean anotherWaits = pendingPoll != null && pendingPoll.isActive() && pendingPoll != channel;
        if (state.get() == State.CLOSED || library.pollingQueueEmpty() || anotherWaits) {
            return false;
        }
        forward.run();
        return true;
    }

    // ---------------------------------------------------------------------------------------------------- writing

    /**
     * Queues {@code event}, encoded once by the caller. An upgraded session is written on its websocket's loop: during a
     * fan-out ({@code writes} not null) with the fan-out's other recipients, alone otherwise, in both cases as a task
     * of that loop in the order sent (a send alone through the library's queue could overtake the fan-outs sent before
     * it: the library's task drains the whole queue, including packets queued after the fan-outs' tasks); a send alone
     * on that loop itself is written at once, in order with the library's writes there (the CONNECT answer, acks).
     * A session not (yet) upgraded gets it through the library's queue. False when closing or over the outbound limit (which
     * closes the session as a slow consumer). The close is a task of its own: a send runs inside a fan-out, which
     * must not wait for the hub's locks of one socket.
     */
    boolean send(OutboundEvent event, EncodedEvent encoded, GroupedWrites writes) {
        if (isClosing() || slow.get()) {
            return false;
        }
        long size = event.name().length() + (long) event.length() + EVENT_OVERHEAD;
        long queued = queuedBytes();
        if (queued + size > limits.maxQueuedPerSocket()) {
            if (slow.compareAndSet(false, true)) {
                Connection c = connection();
                LOG.warn("connection {} disconnected as a slow consumer: {} bytes queued, limit {}",
                        c == null ? "-" : c.id(), queued, limits.maxQueuedPerSocket());
                timers.execute(() -> closeConnection(DisconnectReason.SLOW_CONSUMER));
            }
            return false;
        }
        Channel ws = websocket;
        if (ws != null && isUpgraded()) {
            if (writes == null && ws.eventLoop().inEventLoop()) {
                writeNow(event, encoded, ws);
                return true;
            }
            GroupedWrites group = writes != null ? writes : new GroupedWrites(encoded, shareable(encoded));
            if (group.shareable()) {
                group.frame(this, ws);
            } else {
                library.queueOnWebsocket(event.name(), encoded);
                group.queued(this, ws);
            }
            if (writes == null) {
                group.flush();
            }
            return true;
        }
        countPolling(size);
        library.event(event.name(), encoded);
        return true;
    }

    private boolean shareable(EncodedEvent encoded) {
        return SharedFrame.payloadLength(encoded) <= limits.maxSharedFrame();
    }

    /** A send alone on the websocket's own loop (a handler's reply): written now, as the library's writes there are. */
    private void writeNow(OutboundEvent event, EncodedEvent encoded, Channel ws) {
        if (!shareable(encoded)) {
            library.event(event.name(), encoded);
        } else if (ws.isActive()) {
            ws.writeAndFlush(SharedFrame.of(encoded, ws.alloc()), ws.voidPromise());
        }
    }

    /**
     * An acknowledgement. Sent from another thread to an upgraded session it is handed to the websocket's loop first,
     * as the frames are: the library's own hand-off (its packet queued now, written by a task that drains the whole
     * queue) could otherwise let it overtake an event sent before it from the same thread.
     */
    void ack(long ackId, String json) {
        if (isClosing()) {
            return;
        }
        countPolling(json.length() + EVENT_OVERHEAD);
        Channel ws = websocket;
        if (ws != null && isUpgraded() && !ws.eventLoop().inEventLoop()) {
            try {
                ws.eventLoop().execute(() -> library.ack(ackId, json));
            } catch (RejectedExecutionException e) { // the loop is shutting down: its channels with it
                LOG.debug("ack not sent: event loop shutting down");
            }
            return;
        }
        library.ack(ackId, json);
    }

    /**
     * The Socket.IO CONNECT answer; its {@code sid} is the opaque connection id, never the Engine.IO session id, and
     * its {@code pid} the private id of connection state recovery (when it is on).
     */
    void sendConnected() {
        Connection c = connection();
        library.connected(c.id(), c.pid());
    }

    /** A CONNECT_ERROR for {@code nsp} ("" for the main namespace). */
    void sendConnectError(String nsp, Object data) {
        library.connectError(nsp, data);
    }

    private void countPolling(long size) {
        if (!isUpgraded()) {
            pollingQueued.addAndGet(size);
        }
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

    // ---------------------------------------------------------------------------------------------------- closing

    /**
     * The client left the namespace ({@code 41}): the hub forgets its socket (presence sees it leave now); the session
     * stays open and keeps its heartbeat, as the official server's does. Another CONNECT gets a new socket; without
     * one the session ends after the authentication timeout, the bound on a session that never CONNECTs.
     */
    void leaveNamespace() {
        SocketLink left;
        long leave;
        synchronized (this) {
            left = socket;
            if (left == null || !left.isConnected()) {
                return; // another 41 (a second POST on another loop) got here first
            }
            socket = null;
            leave = leaves.incrementAndGet();
            everAuthenticated |= left.connection().isAuthenticated();
        }
        left.leave();
        left.connection().closed(DisconnectReason.CLIENT_DISCONNECT);
        timers.schedule(() -> {
            if (leaves.get() == leave && socket == null) { // not connected again since
                close(DisconnectReason.AUTH_TIMEOUT, false);
            }
        }, limits.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    /** An edge decision (protocol error, limit): through the hub, so that it forgets the socket first. */
    void closeConnection(DisconnectReason reason) {
        Connection c = connection();
        if (c != null) {
            c.close(reason);
        } else {
            close(reason, false); // no socket connected: nothing to tell
        }
    }

    /** The client or its transport ended the session. */
    void closedByClient(DisconnectReason reason) {
        Connection c = connection();
        if (c != null) {
            c.closed(reason);
        } else {
            close(reason, false);
        }
    }

    /** Ends the session (see the class comment); {@code notify}: tell a connected client with {@code 41}. Once. */
    void close(DisconnectReason reason, boolean notify) {
        State was = state.getAndUpdate(s -> s == State.CLOSING || s == State.CLOSED ? s : State.CLOSING);
        if (was == State.CLOSING || was == State.CLOSED) {
            return;
        }
        Channel ws = websocket;
        if (isUpgraded() && ws != null) {
            closeWebsocket(ws, reason, notify);
            return;
        }
        if (notify) {
            library.disconnect();
        }
        slot.release(); // a closing session no longer counts against the limits
        if (reason.isServerDecision() || notify) {
            library.close(); // the last packets (the reason, a CONNECT_ERROR, 41), then Engine.IO's close
        } else if (pollWaiting()) {
            library.noop(); // the client ended it: the poll it left waiting gets nothing
        } else {
            finish();
            return;
        }
        // the waiting poll (or the next one) carries them, then the session is finished (see drained); a client that
        // does not poll again is cut after the bound
        timers.schedule(this::finish, limits.closeTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * On the websocket the sid is unknown at once; the last packets ({@code 41} when {@code notify}, then a close frame
     * with the reason's code) are written by a task of the channel's loop, after the frames handed to the loop before
     * (a send that came before the close is delivered before its {@code 41}; one whose task runs after it is dropped,
     * see {@link #lastPacketsWritten}); the client answers the close frame (and the library closes the connection) or
     * it is cut after the bound.
     */
    private void closeWebsocket(Channel ws, DisconnectReason reason, boolean notify) {
        table.remove(this);
        WebSocketCloseStatus status = switch (reason) {
            case PROTOCOL_ERROR -> WebSocketCloseStatus.PROTOCOL_ERROR;
            case PAYLOAD_TOO_LARGE -> WebSocketCloseStatus.MESSAGE_TOO_BIG;
            case SLOW_CONSUMER, ABUSE -> WebSocketCloseStatus.POLICY_VIOLATION;
            default -> WebSocketCloseStatus.NORMAL_CLOSURE;
        };
        if (reason == DisconnectReason.SHUTDOWN) {
            // no close frame: the Java client 2.x (OkHttp) stops reading at one and then never notices the connection
            // went, so an Android phone would sit until its ping timeout instead of reconnecting to another node; the
            // connection ends after what is queued, both official clients see it go and reconnect (and recover)
            ws.eventLoop().execute(() -> {
                lastPackets(notify);
                ws.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            });
            state.set(State.CLOSED);
            return;
        }
        ws.eventLoop().execute(() -> {
            lastPackets(notify);
            if (ws.isActive()) {
                ws.writeAndFlush(new CloseWebSocketFrame(status));
            }
        });
        ws.eventLoop().schedule(() -> ws.close(), limits.closeTimeoutMillis(), TimeUnit.MILLISECONDS);
        state.set(State.CLOSED);
    }

    /** On the websocket's loop: from now on nothing is written to it but the close ({@code 41} first if {@code notify}). */
    private void lastPackets(boolean notify) {
        lastWritten = true;
        if (notify) {
            library.disconnect();
        }
    }

    /**
     * True once the last packets of a closing websocket session were written, read on its websocket's loop: a frame
     * handed to the loop before its close is still written (it was sent first), one after it is dropped.
     */
    boolean lastPacketsWritten() {
        return lastWritten;
    }

    /** CLOSED: the sid is unknown from now on, the library's session ended, its channels closed. Once. */
    synchronized void finish() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        table.remove(this);
        library.end();
        Channel ws = websocket;
        if (ws != null) {
            ws.close();
        }
    }
}
