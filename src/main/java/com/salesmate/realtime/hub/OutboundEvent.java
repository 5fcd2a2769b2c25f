package com.salesmate.realtime.hub;

/**
 * One server-to-client event with its payload already serialised as JSON, so that a broadcast is written once for
 * all recipients; the edge turns it into a packet (and may cache the encoded frame on it).
 */
public final class OutboundEvent {
    private final String name;
    private final String json;
    private volatile Object encoded;

    public OutboundEvent(String name, String json) {
        this.name = name;
        this.json = json;
    }

    public String name() {
        return name;
    }

    /** The payload as JSON text ({@code null} for an event without payload is written as {@code null}). */
    public String json() {
        return json;
    }

    /** The edge's encoded form of this event, cached for the next recipient; null until the edge sets it. */
    public Object encoded() {
        return encoded;
    }

    public void encoded(Object frame) {
        this.encoded = frame;
    }
}
