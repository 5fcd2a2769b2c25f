package com.salesmate.realtime.socketio;

import com.codahale.metrics.Timer;
import com.salesmate.realtime.hub.Fanout;
import com.salesmate.realtime.hub.Link;
import com.salesmate.realtime.hub.OutboundEvent;
import com.salesmate.realtime.hub.WriteBacklog;

import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Socket.IO edge's {@link Fanout}: the event is encoded once ({@link EncodedEvent}), each websocket recipient is
 * handed the same {@link SharedFrame} and the writes are grouped per event loop ({@link GroupedWrites}); polling
 * sessions, sessions mid-upgrade and frames too large to share go through the library's queue, as a single send does.
 * Each fan-out that reaches a socket is timed from this call until every loop has written its share (or, for sessions
 * that are not upgraded, until it is queued for them): one timer update per fan-out. Its grouped writes count on the
 * node's {@link WriteBacklog} until written.
 */
final class EdgeFanout implements Fanout {
    private final int maxSharedFrame;
    private final Timer fanouts;
    private final WriteBacklog backlog;

    EdgeFanout(int maxSharedFrame, Timer fanouts, WriteBacklog backlog) {
        this.maxSharedFrame = maxSharedFrame;
        this.fanouts = fanouts;
        this.backlog = backlog;
    }

    @Override
    public BitSet send(OutboundEvent event, List<Link> links) {
        long started = System.nanoTime();
        EncodedEvent encoded = EncodedEvent.of(event);
        GroupedWrites writes = new GroupedWrites(encoded, SharedFrame.payloadLength(encoded) <= maxSharedFrame,
                backlog);
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
            // hands each event loop its share, in the order added
            writes.flush(sent.isEmpty() ? null
                    : () -> fanouts.update(System.nanoTime() - started, TimeUnit.NANOSECONDS));
        }
        return sent;
    }
}
