package com.salesmate.realtime.socketio;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The websocket writes of one fan-out, grouped by event loop. A recipient is handed a retained duplicate of the
 * event's {@link SharedFrame}, built once for the fan-out; an event that cannot be shared (too large for one frame, a
 * compressed channel) is queued in the library's packet queue instead, as any packet. When the fan-out ends each loop
 * gets one task that writes its recipients' frames in the order they were added and flushes each channel once. Netty
 * would otherwise get one cross-thread task, and a wake-up, per recipient; the library one encoding per recipient.
 * A session that began closing meanwhile is skipped: nothing follows its {@code 41}. Used by one thread, once.
 */
final class GroupedWrites {
    private record Write(EdgeSession session, Channel channel, ByteBuf frame) {
    }

    private final EncodedEvent event;
    private final boolean shareable;
    private final Map<EventLoop, List<Write>> byLoop = new HashMap<>();
    private ByteBuf frame;

    GroupedWrites(EncodedEvent event, boolean shareable) {
        this.event = event;
        this.shareable = shareable;
    }

    /** True when the event fits one shared frame; otherwise each recipient's packet goes through the library. */
    boolean shareable() {
        return shareable;
    }

    /** {@code session}'s websocket {@code channel} gets the event's shared frame. */
    void frame(EdgeSession session, Channel channel) {
        if (frame == null) {
            frame = SharedFrame.of(event, ByteBufAllocator.DEFAULT);
        }
        add(new Write(session, channel, frame.retainedDuplicate()));
    }

    /** {@code session}'s websocket {@code channel} writes what the library queued for it. */
    void queued(EdgeSession session, Channel channel) {
        add(new Write(session, channel, null));
    }

    private void add(Write write) {
        byLoop.computeIfAbsent(write.channel().eventLoop(), l -> new ArrayList<>()).add(write);
    }

    /** The fan-out has ended: each event loop gets its writes. */
    void flush() {
        if (frame != null) {
            frame.release(); // each write holds its own reference
            frame = null;
        }
        // nothing adds to these lists any more, and execute() hands them to the loop safely
        byLoop.forEach((loop, writes) -> loop.execute(() -> write(writes)));
        byLoop.clear();
    }

    private static void write(List<Write> writes) {
        Set<Channel> written = new LinkedHashSet<>();
        for (Write w : writes) {
            Channel channel = w.channel();
            if (!channel.isActive() || w.session().isClosing()) {
                if (w.frame() != null) {
                    w.frame().release();
                }
                continue;
            }
            if (w.frame() != null) {
                channel.write(w.frame());
                written.add(channel);
            } else {
                channel.writeAndFlush(w.session().library().websocketFlush());
            }
        }
        written.forEach(Channel::flush);
    }
}
