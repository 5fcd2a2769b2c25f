package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.OutPacketMessage;
import com.salesmate.realtime.hub.Fanout;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
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
        for (Map.Entry<EventLoop, Map<Channel, ClientHead>> group : byLoop.entrySet()) {
            List<Map.Entry<Channel, ClientHead>> writes = new ArrayList<>(group.getValue().entrySet());
            group.getKey().execute(() -> {
                for (Map.Entry<Channel, ClientHead> w : writes) {
                    if (w.getKey().isActive()) {
                        w.getKey().writeAndFlush(new OutPacketMessage(w.getValue(), Transport.WEBSOCKET));
                    }
                }
            });
        }
    }
}
