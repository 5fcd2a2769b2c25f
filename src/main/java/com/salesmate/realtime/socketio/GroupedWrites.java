package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.messages.OutPacketMessage;
import com.salesmate.realtime.hub.Fanout;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
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
 * A session that began closing meanwhile is skipped: nothing follows its {@code 41}.
 */
final class GroupedWrites implements Fanout.Writes {
    private record Write(EdgeSession session, Channel channel, ByteBuf frame) {
    }

    private final Map<EventLoop, List<Write>> byLoop = new HashMap<>();
    private final Map<EncodedEvent, ByteBuf> frames = new IdentityHashMap<>();

    /** {@code session}'s websocket {@code channel} gets {@code event}'s shared frame. */
    void frame(EdgeSession session, Channel channel, EncodedEvent event) {
        ByteBuf frame = frames.computeIfAbsent(event, e -> SharedFrame.of(e, ByteBufAllocator.DEFAULT));
        add(new Write(session, channel, frame.retainedDuplicate()));
    }

    /** {@code session}'s websocket {@code channel} writes what the library queued for it. */
    void queued(EdgeSession session, Channel channel) {
        add(new Write(session, channel, null));
    }

    private void add(Write write) {
        byLoop.computeIfAbsent(write.channel().eventLoop(), l -> new ArrayList<>()).add(write);
    }

    @Override
    public void flush() {
        frames.values().forEach(ByteBuf::release); // each write holds its own reference
        frames.clear();
        // the fan-out has ended: nothing adds to these lists any more, and execute() hands them to the loop safely
        byLoop.forEach((loop, writes) -> loop.execute(() -> write(writes)));
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
                channel.writeAndFlush(new OutPacketMessage(w.session().head(), Transport.WEBSOCKET));
            }
        }
        written.forEach(Channel::flush);
    }
}
