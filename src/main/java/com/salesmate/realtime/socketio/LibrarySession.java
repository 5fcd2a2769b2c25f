package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.OutPacketMessage;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.fasterxml.jackson.databind.util.RawValue;
import io.netty.channel.Channel;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The library's side of one Engine.IO session (its {@link ClientHead}): the one class of the edge that calls it, builds
 * its packets or reads its channel attribute. What the library keeps for a session (transports, packet queues,
 * heartbeat timers) stays there; what the edge decides about the session is {@link EdgeSession}'s.
 */
final class LibrarySession {
    private final ClientHead head;

    private LibrarySession(ClientHead head) {
        this.head = head;
    }

    /** The session the library made for the handshake {@code channel} carries; null when it made none. */
    static LibrarySession of(Channel channel) {
        ClientHead head = channel.attr(ClientHead.CLIENT).get();
        return head == null ? null : new LibrarySession(head);
    }

    /** The session id of the library's session a batch of client packets belongs to. */
    static UUID idOf(PacketsMessage message) {
        return message.getClient().getSessionId();
    }

    UUID id() {
        return head.getSessionId();
    }

    /** True once the library has switched the session to its websocket ({@code 5} handled). */
    boolean upgraded() {
        return head.getCurrentTransport() == Transport.WEBSOCKET;
    }

    /**
     * A packet came from the client: the library's ping timeout starts again, as it does for the packets it reads
     * itself (the edge handles Socket.IO packets before the library sees them).
     */
    void heard() {
        head.schedulePingTimeout();
    }

    /** {@code websocket} or {@code polling}. */
    String transport() {
        return head.getCurrentTransport().name().toLowerCase();
    }

    boolean pollingQueueEmpty() {
        return head.getPacketsQueue(Transport.POLLING).isEmpty();
    }

    /** An event on the transport in use, after what is queued. */
    void event(String name, EncodedEvent encoded) {
        head.send(eventPacket(name, encoded));
    }

    /** An event into the websocket queue without writing it: {@link #websocketFlush()} writes it. */
    void queueOnWebsocket(String name, EncodedEvent encoded) {
        head.getPacketsQueue(Transport.WEBSOCKET).add(eventPacket(name, encoded));
    }

    /** The message that makes the library's encoder write the websocket queue. */
    Object websocketFlush() {
        return new OutPacketMessage(head, Transport.WEBSOCKET);
    }

    void ack(long ackId, String json) {
        Packet packet = socketIo(PacketType.ACK);
        packet.setAckId(ackId);
        packet.setData(List.of(new RawValue(json)));
        head.send(packet);
    }

    /** The Socket.IO CONNECT answer. */
    void connected(String sid) {
        Packet packet = socketIo(PacketType.CONNECT);
        packet.setData(Map.of("sid", sid));
        head.send(packet);
    }

    /** A CONNECT_ERROR for {@code nsp} ("" for the main namespace). */
    void connectError(String nsp, Object data) {
        Packet packet = socketIo(PacketType.ERROR);
        packet.setNsp(nsp);
        packet.setData(data);
        head.send(packet);
    }

    /** Socket.IO DISCONNECT ({@code 41}). */
    void disconnect() {
        head.send(socketIo(PacketType.DISCONNECT));
    }

    /** Engine.IO CLOSE ({@code 1}), after what is queued. */
    void close() {
        head.send(new Packet(PacketType.CLOSE, EngineIOVersion.V4));
    }

    /** Engine.IO NOOP ({@code 6}) on the polling transport: answers a waiting poll with nothing. */
    void noop() {
        head.send(new Packet(PacketType.NOOP, EngineIOVersion.V4), Transport.POLLING);
    }

    /** Ends the library's session: its sid is unknown to it from now on, its timers and channels released. */
    void end() {
        head.onChannelDisconnect();
    }

    private static Packet eventPacket(String name, EncodedEvent encoded) {
        Packet packet = socketIo(PacketType.EVENT);
        packet.setName(name);
        packet.setData(List.of(encoded)); // SocketJson writes the bytes
        return packet;
    }

    private static Packet socketIo(PacketType subType) {
        Packet packet = new Packet(PacketType.MESSAGE, EngineIOVersion.V4);
        packet.setSubType(subType);
        packet.setNsp("");
        return packet;
    }
}
