package com.salesmate.realtime.hub;

import java.util.function.Supplier;

/**
 * One emit to many sockets in progress on this thread. The edge may hold its writes back during it and hand them
 * over when it ends (one task per event loop instead of one per recipient); the publisher opens one around each
 * fan-out. Not shared between threads; a fan-out begun inside another joins it.
 */
public final class Fanout implements AutoCloseable {
    /** What the edge keeps during a fan-out: told when it ends. */
    public interface Writes {
        void flush();
    }

    private static final ThreadLocal<Fanout> CURRENT = new ThreadLocal<>();
    private static final Fanout JOINED = new Fanout();

    private Writes writes;

    private Fanout() {
    }

    /** Opens a fan-out on this thread (or joins the one open); close it when every recipient has been handed the emit. */
    public static Fanout begin() {
        if (CURRENT.get() != null) {
            return JOINED;
        }
        Fanout f = new Fanout();
        CURRENT.set(f);
        return f;
    }

    /** The fan-out open on this thread, or null. */
    public static Fanout current() {
        return CURRENT.get();
    }

    /** The edge's writes of this fan-out, created on first use. */
    @SuppressWarnings("unchecked")
    public <T extends Writes> T writes(Supplier<T> create) {
        if (writes == null) {
            writes = create.get();
        }
        return (T) writes;
    }

    @Override
    public void close() {
        if (this == JOINED) {
            return;
        }
        CURRENT.remove();
        if (writes != null) {
            writes.flush();
        }
    }
}
