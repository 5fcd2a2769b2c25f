package com.salesmate.realtime.socketio;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * An event as one complete websocket frame, built once per fan-out: an unmasked final text frame (RFC 6455 5.2)
 * carrying the Engine.IO/Socket.IO packet {@code 42["name",args]} of the main namespace. Every websocket recipient is
 * written a retained duplicate of the same buffer, which passes Netty's frame encoder untouched (it encodes
 * {@code WebSocketFrame}s only): no packet encoding, allocation or copy per recipient. {@code SharedFrameTest} checks
 * the bytes against what netty-socketio's packet encoder and Netty's frame encoder write for the same event.
 */
final class SharedFrame {
    private static final int FIN_TEXT = 0x81;
    private static final byte[] EVENT_PREFIX = {'4', '2'}; // Engine.IO MESSAGE, Socket.IO EVENT, main namespace

    private SharedFrame() {
    }

    /** Payload bytes of the frame for {@code event}: its packet as the library encodes it on a websocket. */
    static int payloadLength(EncodedEvent event) {
        return EVENT_PREFIX.length + event.bytes().length;
    }

    /** A new buffer (reference count 1, the caller's) holding the whole frame. */
    static ByteBuf of(EncodedEvent event, ByteBufAllocator alloc) {
        byte[] json = event.bytes();
        int length = payloadLength(event);
        int header = length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuf frame = alloc.directBuffer(header + length);
        frame.writeByte(FIN_TEXT);
        if (length <= 125) {
            frame.writeByte(length);
        } else if (length <= 0xFFFF) {
            frame.writeByte(126).writeShort(length);
        } else {
            frame.writeByte(127).writeLong(length);
        }
        return frame.writeBytes(EVENT_PREFIX).writeBytes(json);
    }
}
