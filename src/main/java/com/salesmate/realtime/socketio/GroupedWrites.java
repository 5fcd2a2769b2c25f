package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.OutPacketMessage;
import com.salesmate.realtime.hub.Fanout;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The websocket writes of one fan-out, grouped by event loop: each recipient's packet is queued at once (in the
 * library's own queue, so its order with every other packet of the session is kept), and when the fan-out ends each
 * loop gets one task that tells each of its channels to write what is queued, with one flush per channel. Netty
 * would otherwise get one cross-thread write task, and a wake-up, per recipient.
 */
final class GroupedWrites implements Fanout.Writes {
    private final Map<EventLoop, Map<Channel, ClientHead>> byLoop = new HashMap<>();

    void add(Channel channel, ClientHead head) {
        byLoop.computeIfAbsent(channel.eventLoop(), l -> new IdentityHashMap<>()).put(channel, head);
    }

    @Override
    public void flush() {
        // the fan-out has ended: nothing adds to these maps any more, and execute() hands them to the loop safely
        byLoop.forEach((loop, writes) -> loop.execute(() -> writes.forEach((channel, head) -> {
            if (channel.isActive()) {
                channel.writeAndFlush(new OutPacketMessage(head, Transport.WEBSOCKET));
            }
        })));
    }
}
