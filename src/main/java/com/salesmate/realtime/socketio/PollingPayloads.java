package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.util.AbstractQueue;
import java.util.Iterator;
import java.util.Queue;

/**
 * The library's packet encoder with its polling payloads bounded without loss. netty-socketio 2.0.14 answers a poll
 * with at most 50 packets of the session's queue, but its loop takes the 51st off the queue before it checks the
 * bound and drops it: a polling client with more than 50 packets waiting lost every 51st (seen with 300 events sent
 * back to back, {@code BackToBackEventsTest}). Here the library's loop is handed a view of the queue that ends after
 * the bound, and is given no bound of its own: it encodes exactly the packets it takes, the rest wait for the next
 * poll. Websocket packets are encoded one by one and never go through these methods.
 */
final class PollingPayloads extends PacketEncoder {
    /** Never reached: the view ends first. */
    private static final int NO_LIMIT = Integer.MAX_VALUE;

    PollingPayloads(Configuration configuration) {
        super(configuration, configuration.getJsonSupport());
    }

    @Override
    public void encodePackets(Queue<Packet> packets, ByteBuf buffer, ByteBufAllocator allocator, int limit)
            throws IOException {
        super.encodePackets(new Bounded(packets, limit), buffer, allocator, NO_LIMIT);
    }

    @Override
    public void encodeJsonP(Integer jsonpIndex, Queue<Packet> packets, ByteBuf out, ByteBufAllocator allocator,
                            int limit) throws IOException {
        super.encodeJsonP(jsonpIndex, new Bounded(packets, limit), out, allocator, NO_LIMIT);
    }

    /** The first {@code limit} packets {@code poll()} takes off the session's queue, then nothing. */
    private static final class Bounded extends AbstractQueue<Packet> {
        private final Queue<Packet> queue;
        private int left;

        Bounded(Queue<Packet> queue, int limit) {
            this.queue = queue;
            this.left = limit;
        }

        @Override
        public Packet poll() {
            if (left <= 0) {
                return null;
            }
            left--;
            return queue.poll();
        }

        @Override
        public Packet peek() {
            return left <= 0 ? null : queue.peek();
        }

        @Override
        public boolean offer(Packet packet) {
            throw new UnsupportedOperationException("read only");
        }

        @Override
        public Iterator<Packet> iterator() {
            throw new UnsupportedOperationException("polled only");
        }

        @Override
        public int size() {
            return Math.min(left, queue.size());
        }
    }
}
