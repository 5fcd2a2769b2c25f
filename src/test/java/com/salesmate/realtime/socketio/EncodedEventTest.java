package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketEncoder;
import com.corundumstudio.socketio.protocol.PacketType;
import com.fasterxml.jackson.databind.util.RawValue;
import com.salesmate.realtime.hub.OutboundEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An event encoded once ({@link EncodedEvent}, written by {@link SocketJson}) is byte for byte what netty-socketio
 * writes for the same event through its own Jackson pass, on the websocket path (one packet per frame) and on the
 * polling path (several packets in one payload); and the {@link SharedFrame} every websocket recipient of a fan-out
 * is written is byte for byte the frame the library's packet and Netty's frame encoder make of it.
 */
class EncodedEventTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    static Stream<OutboundEvent> events() {
        return Stream.of(
                new OutboundEvent("alert", "{\"tenantId\":\"acme\",\"message\":\"storm\",\"severity\":\"warning\",\"data\":null}"),
                new OutboundEvent("location:updated", "{\"latitude\":12.971599,\"longitude\":77.594566,\"accuracy\":null}"),
                new OutboundEvent("unicode", "{\"m\":\"é✓ \\u2028 𝄞 \\\"quoted\\\" back\\\\slash\"}"),
                new OutboundEvent("a \"quoted\" \\ name ✓ \u0001", "1"),
                new OutboundEvent("no-args", List.of()),
                new OutboundEvent("several", List.of("\"text\"", "42", "[1,{\"a\":[true,false,null]}]", "null")),
                new OutboundEvent("big", "{\"s\":\"" + "x".repeat(200_000) + "\"}"),
                // frame payload lengths at the edges of the websocket header's three length forms
                sized(125), sized(126), sized(127), sized(65_535), sized(65_536));
    }

    /** An event whose packet {@code 42["e","xx…"]} is {@code payload} bytes long. */
    private static OutboundEvent sized(int payload) {
        return new OutboundEvent("e", "\"" + "x".repeat(payload - 10) + "\"");
    }

    @ParameterizedTest
    @MethodSource("events")
    void aSharedFrameIsWhatTheLibraryAndNettyWouldHaveWritten(OutboundEvent event) throws Exception {
        ByteBuf packet = ALLOC.buffer();
        libraryEncoder().encodePacket(libraryPacket(event), packet, ALLOC, true);
        int packetLength = packet.readableBytes();
        EmbeddedChannel netty = new EmbeddedChannel(new WebSocket13FrameEncoder(false)); // as the edge installs it
        netty.writeOutbound(new TextWebSocketFrame(packet));
        ByteBuf library = ALLOC.buffer();
        for (ByteBuf part; (part = netty.readOutbound()) != null; part.release()) {
            library.writeBytes(part);
        }
        ByteBuf shared = SharedFrame.of(EncodedEvent.of(event), ALLOC);
        assertThat(ByteBufUtil.getBytes(shared)).isEqualTo(ByteBufUtil.getBytes(library));
        assertThat(SharedFrame.payloadLength(EncodedEvent.of(event))).isEqualTo(packetLength);
        shared.release();
        library.release();
    }

    @ParameterizedTest
    @MethodSource("events")
    void aWebsocketFrameIsWhatTheLibraryWouldHaveWritten(OutboundEvent event) throws Exception {
        ByteBuf library = ALLOC.buffer();
        libraryEncoder().encodePacket(libraryPacket(event), library, ALLOC, true);
        ByteBuf once = ALLOC.buffer();
        serviceEncoder().encodePacket(encodedPacket(event), once, ALLOC, true);
        assertThat(ByteBufUtil.getBytes(once)).isEqualTo(ByteBufUtil.getBytes(library));
        assertThat(once.toString(java.nio.charset.StandardCharsets.UTF_8)).startsWith("42[");
    }

    @ParameterizedTest
    @MethodSource("events")
    void aPollingPayloadIsWhatTheLibraryWouldHaveWritten(OutboundEvent event) throws Exception {
        Queue<Packet> libraryQueue = new ArrayDeque<>(List.of(libraryPacket(event), libraryPacket(event)));
        ByteBuf library = ALLOC.buffer();
        libraryEncoder().encodePackets(libraryQueue, library, ALLOC, 50);
        Queue<Packet> onceQueue = new ArrayDeque<>(List.of(encodedPacket(event), encodedPacket(event)));
        ByteBuf once = ALLOC.buffer();
        serviceEncoder().encodePackets(onceQueue, once, ALLOC, 50);
        assertThat(ByteBufUtil.getBytes(once)).isEqualTo(ByteBufUtil.getBytes(library));
    }

    /** The library as shipped: its own JSON support, the arguments as raw JSON values. */
    private static PacketEncoder libraryEncoder() {
        return new PacketEncoder(new Configuration(), new JacksonJsonSupport());
    }

    private static PacketEncoder serviceEncoder() {
        return new PacketEncoder(new Configuration(), new SocketJson(1_000_000));
    }

    private static Packet libraryPacket(OutboundEvent event) {
        Packet p = eventPacket(event);
        p.setData(event.args().stream().map(RawValue::new).toList());
        return p;
    }

    private static Packet encodedPacket(OutboundEvent event) {
        Packet p = eventPacket(event);
        p.setData(List.of(EncodedEvent.of(event)));
        return p;
    }

    private static Packet eventPacket(OutboundEvent event) {
        Packet p = new Packet(PacketType.MESSAGE, EngineIOVersion.V4);
        p.setSubType(PacketType.EVENT);
        p.setNsp("");
        p.setName(event.name());
        return p;
    }
}
