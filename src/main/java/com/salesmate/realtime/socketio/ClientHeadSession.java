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
 * netty-socketio's side of one Engine.IO session (its {@link ClientHead}): the one class of the edge that calls it,
 * builds its packets or reads its channel attribute.
 */
final class ClientHeadSession implements LibrarySession {
    private final ClientHead head;

    private ClientHeadSession(ClientHead head) {
        this.head = head;
    }

    /** The session the library made for the handshake {@code channel} carries; null when it made none. */
    static LibrarySession of(Channel channel) {
        ClientHead head = channel.attr(ClientHead.CLIENT).get();
        return head == null ? null : new ClientHeadSession(head);
    }

    /** The session id of the library's session a batch of client packets belongs to. */
    static UUID idOf(PacketsMessage message) {
        return message.getClient().getSessionId();
    }

    @Override
    public UUID id() {
        return head.getSessionId();
    }

    @Override
    public boolean upgraded() {
        return head.getCurrentTransport() == Transport.WEBSOCKET;
    }

    @Override
    public void heard() {
        head.schedulePingTimeout();
    }

    @Override
    public String transport() {
        return head.getCurrentTransport().name().toLowerCase();
    }

    @Override
    public boolean pollingQueueEmpty() {
        return head.getPacketsQueue(Transport.POLLING).isEmpty();
    }

    @Override
    public void event(String name, EncodedEvent encoded) {
        head.send(eventPacket(name, encoded));
    }

    @Override
    public void queueOnWebsocket(String name, EncodedEvent encoded) {
        head.getPacketsQueue(Transport.WEBSOCKET).add(eventPacket(name, encoded));
    }

    @Override
    public Object websocketFlush() {
        return new OutPacketMessage(head, Transport.WEBSOCKET);
    }

    @Override
    public void ack(long ackId, String json) {
        Packet packet = socketIo(PacketType.ACK);
        packet.setAckId(ackId);
        packet.setData(List.of(new RawValue(json)));
        head.send(packet);
    }

    @Override
    public void connected(String sid, String pid) {
        Packet packet = socketIo(PacketType.CONNECT);
        packet.setData(pid == null ? Map.of("sid", sid) : new ConnectAnswer(sid, pid));
        head.send(packet);
    }

    @Override
    public void connectError(String nsp, Object data) {
        Packet packet = socketIo(PacketType.ERROR);
        packet.setNsp(nsp);
        packet.setData(data);
        head.send(packet);
    }

    @Override
    public void disconnect() {
        head.send(socketIo(PacketType.DISCONNECT));
    }

    @Override
    public void close() {
        head.send(new Packet(PacketType.CLOSE, EngineIOVersion.V4));
    }

    @Override
    public void noop() {
        head.send(new Packet(PacketType.NOOP, EngineIOVersion.V4), Transport.POLLING);
    }

    @Override
    public void end() {
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

    /** The CONNECT answer's data with recovery: {@code {"sid":..,"pid":..}}, in that order. */
    private record ConnectAnswer(String sid, String pid) {
    }
}
