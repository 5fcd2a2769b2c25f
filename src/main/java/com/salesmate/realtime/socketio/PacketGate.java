package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.hub.Connection;
import com.salesmate.realtime.hub.DisconnectReason;
import com.salesmate.realtime.hub.SocketEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Reads every packet a client sends before the library does. Socket.IO packets (CONNECT, events, acks, disconnect)
 * are parsed strictly and handled here: one CONNECT per socket (a repeat on the connected namespace closes the
 * session, as the official server does; after a {@code 41} the session stays and may CONNECT again), events straight
 * to the hub, nothing at all once the session is closing; every packet moves the heartbeat's deadline. Only Engine.IO control packets (pong,
 * upgrade, probe) go on to the library. Malformed input closes the connection.
 */
@ChannelHandler.Sharable
final class PacketGate extends ChannelInboundHandlerAdapter {
    private static final char SEPARATOR = '\u001e';
    private static final String UPGRADE = "5";
    private static final Map<String, Object> INVALID_NAMESPACE = Map.of("message", "Invalid namespace");

    private final EdgeSessions sessions;
    private final SocketEvents hub;
    private final MalformedInput malformed;

    PacketGate(EdgeSessions sessions, SocketEvents hub, MalformedInput malformed) {
        this.sessions = sessions;
        this.hub = hub;
        this.malformed = malformed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof PacketsMessage message)) {
            ctx.fireChannelRead(msg);
            return;
        }
        EdgeSession session = sessions.get(ClientHeadSession.idOf(message));
        if (session == null) {
            return;
        }
        // one batch of a session at a time: the library answers a POST before its packets are read, so the client's
        // next POST may be read on another event loop meanwhile; it must see the first one's decisions
        synchronized (session.inbound()) {
            read(ctx, session, message);
        }
    }

    private void read(ChannelHandlerContext ctx, EdgeSession session, PacketsMessage message) {
        if (session.isClosing()) {
            return; // nothing that arrives after the decision is handled (the transport releases the content)
        }
        session.heard();
        String text = message.getContent().toString(StandardCharsets.UTF_8);
        List<String> records = message.getTransport() == Transport.POLLING
                ? List.of(text.split(String.valueOf(SEPARATOR), -1)) : List.of(text);
        StringBuilder forward = new StringBuilder();
        boolean upgrade = false;
        for (String record : records) {
            if (session.isClosing()) {
                break;
            }
            String control = handle(session, record, message.getTransport());
            if (control != null) {
                if (!forward.isEmpty()) {
                    forward.append(SEPARATOR);
                }
                forward.append(control);
                upgrade |= control.equals(UPGRADE);
            }
        }
        if (!forward.isEmpty() && !session.isClosing()) {
            ByteBuf content = Unpooled.copiedBuffer(forward, StandardCharsets.UTF_8);
            ctx.fireChannelRead(new PacketsMessage(message.getClient(), content, message.getTransport()));
            if (upgrade) {
                session.upgraded(); // the library has switched the session to the websocket
            }
        }
    }

    /** Handles one Engine.IO packet; returns it when the library must see it (control packets), else null. */
    private String handle(EdgeSession session, String packet, Transport transport) {
        if (packet.isEmpty()) {
            malformed.refuse(session, "empty packet", 0);
            return null;
        }
        switch (packet.charAt(0)) {
            case '1' -> session.closedByClient(DisconnectReason.CLIENT_DISCONNECT);
            case '2' -> {
                if (transport == Transport.WEBSOCKET && packet.equals("2probe") && !session.isUpgraded()) {
                    return packet;
                }
                malformed.refuse(session, "ping from the client", packet.length());
            }
            case '3' -> {
                if (packet.length() == 1) {
                    return packet; // the pong to the server's ping (the library re-arms its ping timeout)
                }
                malformed.refuse(session, "pong with data", packet.length());
            }
            case '4' -> socketIo(session, packet);
            case '5' -> {
                if (transport == Transport.WEBSOCKET && packet.length() == 1 && !session.isUpgraded()) {
                    return packet;
                }
                malformed.refuse(session, "upgrade out of place", packet.length());
            }
            case '6' -> {
                if (packet.length() != 1) {
                    malformed.refuse(session, "noop with data", packet.length());
                }
            }
            default -> malformed.refuse(session, "unknown Engine.IO packet type", packet.length());
        }
        return null;
    }

    private void socketIo(EdgeSession session, String packet) {
        SioPacket p;
        try {
            p = SioPacket.parse(packet.substring(1));
        } catch (SioPacket.Malformed e) {
            malformed.refuse(session, e.getMessage(), packet.length());
            return;
        }
        if (p.type() == SioPacket.CONNECT) {
            SocketLink socket = session.socketForConnect(); // null: refused, and the session closed
            if (socket != null) {
                connect(session, socket, p);
            }
            return;
        }
        SocketLink socket = session.socket();
        if (!SioPacket.DEFAULT_NSP.equals(p.nsp()) || socket == null || !socket.isConnected()) {
            malformed.refuse(session, "packet for a namespace it is not connected to", packet.length());
            return;
        }
        switch (p.type()) {
            case SioPacket.DISCONNECT -> session.leaveNamespace(); // the session stays, as the official server's
            case SioPacket.EVENT -> {
                String name = p.eventName();
                // an event sent before the CONNECT answer (a recovering CONNECT waits for another node) is not
                // handled: the socket's identity is decided by the CONNECT, not by an authenticate raced past it
                if (name != null && socket.isAnswered()) {
                    hub.event(socket.connection(), name, p.firstArgument(), p.ackId());
                }
            }
            default -> {
                // an ACK: this server asks for none, so there is nothing to match it with
            }
        }
    }

    private void connect(EdgeSession session, SocketLink socket, SioPacket p) {
        Connection connection = socket.connection();
        if (!SioPacket.DEFAULT_NSP.equals(p.nsp())) {
            if (!connection.tryAcquireNamespaceConnect()) {
                session.closeConnection(DisconnectReason.ABUSE);
                return;
            }
            session.sendConnectError(p.nsp(), INVALID_NAMESPACE);
            return;
        }
        if (!socket.connectOnce()) {
            malformed.refuse(session, "CONNECT on a connected namespace", 0);
            return;
        }
        JsonNode auth = p.payload();
        // answered here at once; when a salesman's binding must first be committed, or another node must first let go
        // of a recovering socket, on the thread that learnt it (the session may have ended meanwhile: then there is no
        // one to answer)
        hub.connecting(connection, auth).whenComplete((refusal, failure) -> {
            if (session.isClosing() || !connection.isOpen()) {
                return;
            }
            if (failure != null) { // not expected: the hub answers its own failures; the client may try again
                LoggerFactory.getLogger(PacketGate.class).warn("a CONNECT was not answered: {}", failure.toString());
                session.closeConnection(DisconnectReason.TRANSPORT_CLOSE);
            } else if (refusal == null && !connection.isRecovering()) {
                // admitted (identity and rooms set) before this runs, often on another thread than the socket's
                // reads: events are let through before the answer goes out, so that one the client sends as soon as
                // it has the answer is never taken for one raced past it
                socket.answered();
                session.sendConnected();
                hub.connected(connection);
            } else if (refusal == null) {
                // a restored socket gets its identity and rooms back in connected(): its events count from then
                session.sendConnected();
                hub.connected(connection);
                socket.answered();
            } else {
                session.sendConnectError("", refusal);
                connection.closed(DisconnectReason.AUTH_FAILED); // the CONNECT_ERROR has told the client
            }
        });
    }
}
