package com.salesmate.realtime.socketio;

import com.salesmate.realtime.hub.Fanout;
import com.salesmate.realtime.hub.Link;
import com.salesmate.realtime.hub.OutboundEvent;

import java.util.BitSet;
import java.util.List;

/**
 * The Socket.IO edge's {@link Fanout}: the event is encoded once ({@link EncodedEvent}), each websocket recipient is
 * handed the same {@link SharedFrame} and the writes are grouped per event loop ({@link GroupedWrites}); polling
 * sessions, sessions mid-upgrade and frames too large to share go through the library's queue, as a single send does.
 */
final class EdgeFanout implements Fanout {
    private final int maxSharedFrame;

    EdgeFanout(int maxSharedFrame) {
        this.maxSharedFrame = maxSharedFrame;
    }

    @Override
    public BitSet send(OutboundEvent event, List<Link> links) {
        EncodedEvent encoded = EncodedEvent.of(event);
        GroupedWrites writes = new GroupedWrites(encoded, SharedFrame.payloadLength(encoded) <= maxSharedFrame);
        BitSet sent = new BitSet(links.size());
        try {
            for (int i = 0; i < links.size(); i++) {
                Link link = links.get(i);
                boolean queued = link instanceof SocketLink socket ? socket.send(event, encoded, writes)
                        : link.send(event);
                if (queued) {
                    sent.set(i);
                }
            }
        } finally {
            writes.flush(); // hands each event loop its share, in the order added
        }
        return sent;
    }
}
