package com.salesmate.realtime.socketio;

import com.salesmate.realtime.hub.WriteBacklog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The websocket writes of one fan-out, grouped by event loop. A recipient is written a duplicate of the event's
 * {@link SharedFrame}, built once for the fan-out; an event that cannot be shared (too large for one frame, a
 * compressed channel) is queued in the library's packet queue instead, as any packet. When the fan-out ends each loop
 * gets one task that writes its recipients' frames in the order they were added, and then one more task that flushes
 * them: it runs after whatever the loop had queued meanwhile, so when fan-outs come faster than the loop writes them
 * (a burst of alerts, a reconnect wave of location updates) a channel's frames of several fan-outs leave in one
 * {@code writev}; alone, the flush comes in the same turn of the loop, with no timer. Netty would otherwise get one
 * cross-thread task, and a wake-up, per recipient; the library one encoding per recipient.
 *
 * <p>Per recipient the fan-out's thread stores the session and its channel in arrays; the duplicate of the frame is
 * taken on the channel's loop (where it is released once written, so Netty recycles it on that thread) from the one
 * reference the loop's batch holds, and the write carries the channel's void promise: nobody waits for it, and a
 * failed write reaches the pipeline's exception handlers ({@link EdgeExceptions}: the channel is closed), as Netty
 * closes a channel whose socket write failed anyway.
 *
 * <p>A send to one upgraded session alone is a group of one ({@link EdgeSession#send}): its write is then ordered with
 * the fan-outs' on the loop. A recipient whose session's last packets were written meanwhile (its close came first on
 * the loop) is skipped: nothing follows its {@code 41}; one whose close comes after is written, before the {@code 41}.
 * A fan-out's writes are counted on the node's {@link WriteBacklog} from the moment a loop is handed them until that
 * loop has written and flushed them (the emit backpressure). Used by one thread, once.
 */
final class GroupedWrites {
    private static final Logger LOG = LoggerFactory.getLogger(GroupedWrites.class);
    private final EncodedEvent event;
    private final boolean shareable;
    /** One batch per event loop, few (the worker threads): found by a scan, in the order first seen. */
    private Batch[] batches = new Batch[2];
    private int batchCount;
    private ByteBuf frame;
    /** Null for a send to one session alone. */
    private final WriteBacklog backlog;

    GroupedWrites(EncodedEvent event, boolean shareable) {
        this(event, shareable, null);
    }

    GroupedWrites(EncodedEvent event, boolean shareable, WriteBacklog backlog) {
        this.event = event;
        this.shareable = shareable;
        this.backlog = backlog;
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
        batchOf(channel.eventLoop()).add(session, channel, true);
    }

    /** {@code session}'s websocket {@code channel} writes what the library queued for it. */
    void queued(EdgeSession session, Channel channel) {
        batchOf(channel.eventLoop()).add(session, channel, false);
    }

    private Batch batchOf(EventLoop loop) {
        for (int i = 0; i < batchCount; i++) {
            if (batches[i].loop == loop) {
                return batches[i];
            }
        }
        if (batchCount == batches.length) {
            batches = Arrays.copyOf(batches, batchCount * 2);
        }
        Batch batch = new Batch(loop);
        batches[batchCount++] = batch;
        return batch;
    }

    /** The fan-out has ended: each event loop gets its writes. */
    void flush() {
        flush(null);
    }

    /**
     * The fan-out has ended: each event loop gets its writes, and {@code written} (when not null) runs once every loop
     * has run its writes, on the last of them (here and now when no loop has any).
     */
    void flush(Runnable written) {
        if (written != null && batchCount == 0) {
            written.run();
        }
        Countdown loopsLeft = written == null || batchCount == 0 ? null : new Countdown(batchCount, written);
        for (int i = 0; i < batchCount; i++) {
            Batch batch = batches[i];
            batches[i] = null;
            if (batch.frames > 0) {
                batch.frame = frame.retain(); // the batch's own reference, released when its loop has written
            }
            batch.loopsLeft = loopsLeft;
            if (backlog != null) {
                batch.backlog = backlog;
                backlog.queued(batch.size);
            }
            try {
                batch.loop.execute(batch); // nothing adds to the batch any more, and execute() hands it over safely
            } catch (RejectedExecutionException e) { // the loop is shutting down: its channels are closing
                try {
                    batch.release();
                    batch.done();
                } finally {
                    batch.counted();
                }
            }
        }
        batchCount = 0;
        if (frame != null) {
            frame.release();
            frame = null;
        }
    }

    /** The loops of one fan-out that have yet to run their writes; the last one runs what waits for all of them. */
    private static final class Countdown {
        private final AtomicInteger left;
        private final Runnable then;

        Countdown(int loops, Runnable then) {
            this.left = new AtomicInteger(loops);
            this.then = then;
        }

        void loopDone() {
            if (left.decrementAndGet() == 0) {
                then.run();
            }
        }
    }

    /** One loop's writes of the fan-out, in the order added; a null frame marks a write of the library's queue. */
    private static final class Batch implements Runnable {
        private final EventLoop loop;
        private EdgeSession[] sessions = new EdgeSession[8];
        private Channel[] channels = new Channel[8];
        /** Per write: the shared frame, or the library's queue. */
        private boolean[] shared = new boolean[8];
        private int size;
        private int frames;
        private ByteBuf frame;
        /** Set by a timed fan-out before the batch is handed to its loop. */
        private Countdown loopsLeft;
        /** Where the batch's writes are counted until written, when they are. */
        private WriteBacklog backlog;

        Batch(EventLoop loop) {
            this.loop = loop;
        }

        void add(EdgeSession session, Channel channel, boolean sharedFrame) {
            if (size == sessions.length) {
                sessions = Arrays.copyOf(sessions, size * 2);
                channels = Arrays.copyOf(channels, size * 2);
                shared = Arrays.copyOf(shared, size * 2);
            }
            sessions[size] = session;
            channels[size] = channel;
            shared[size] = sharedFrame;
            size++;
            if (sharedFrame) {
                frames++;
            }
        }

        /** Writes the frames, then leaves their flush to a task of the loop: the one step that costs a syscall. */
        @Override
        public void run() {
            int written = 0;
            boolean flushLater = false;
            try {
                for (int i = 0; i < size; i++) {
                    Channel channel = channels[i];
                    EdgeSession session = sessions[i];
                    sessions[i] = null;
                    if (!channel.isActive() || session.lastPacketsWritten()) {
                        channels[i] = null;
                    } else if (shared[i]) {
                        channel.write(frame.retainedDuplicate(), channel.voidPromise());
                        written++;
                    } else {
                        channels[i] = null;
                        channel.writeAndFlush(session.library().websocketFlush());
                    }
                }
                if (written > 0) {
                    loop.execute(this::flushWritten);
                    flushLater = true;
                }
            } catch (RejectedExecutionException e) { // the loop is shutting down: its channels are closing
                LOG.debug("event loop shutting down: flushing a fan-out's writes at once");
            } finally {
                try {
                    release();
                    done();
                } finally {
                    if (!flushLater) { // nothing written, the loop refusing tasks, or a failure part-way: flushed
                        flushWritten(); // now, and the batch's writes leave the backlog whatever happened
                    }
                }
            }
        }

        /**
         * Flushes the channels written, after the tasks the loop had queued meanwhile (the next fan-outs' among them):
         * a channel's frames of several fan-outs leave in one {@code writev}, with one task per loop and fan-out.
         */
        private void flushWritten() {
            try {
                for (int i = 0; i < size; i++) {
                    Channel channel = channels[i];
                    if (channel != null) {
                        channels[i] = null;
                        EdgePipeline.flushNow(channel);
                    }
                }
            } finally {
                counted();
            }
        }

        /** The batch's writes have left the loop's queue: they no longer count toward the node's backlog. */
        void counted() {
            if (backlog != null) {
                backlog.written(size);
                backlog = null;
            }
        }

        /** This loop has run its writes of the fan-out. */
        void done() {
            if (loopsLeft != null) {
                loopsLeft.loopDone();
                loopsLeft = null;
            }
        }

        void release() {
            if (frame != null) {
                frame.release();
                frame = null;
            }
        }
    }
}
