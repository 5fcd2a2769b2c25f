package com.salesmate.realtime.hub;

import java.util.List;

/**
 * One server-to-client event with its arguments already serialised as JSON, so that a broadcast is written once for
 * all recipients; the edge turns it into a packet (and may cache the encoded frame on it). The service's own events
 * have one argument; an emit from another Socket.IO server may carry several, or none.
 */
public final class OutboundEvent {
    private final String name;
    private final List<String> args;
    private final int length;
    private volatile Object encoded;

    public OutboundEvent(String name, String json) {
        this(name, List.of(json));
    }

    public OutboundEvent(String name, List<String> argsJson) {
        this.name = name;
        this.args = List.copyOf(argsJson);
        this.length = args.stream().mapToInt(a -> a.length() + 1).sum();
    }

    public String name() {
        return name;
    }

    /** Each argument as JSON text. */
    public List<String> args() {
        return args;
    }

    /** About how many characters the arguments take on the wire. */
    public int length() {
        return length;
    }

    /** The edge's encoded form of this event, cached for the next recipient; null until the edge sets it. */
    public Object encoded() {
        return encoded;
    }

    public void encoded(Object frame) {
        this.encoded = frame;
    }
}
