package com.salesmate.realtime.hub;

import java.util.List;

/**
 * One server-to-client event with its arguments already serialised as JSON, so that an emit is serialised once for
 * all its recipients. The service's own events have one argument; an emit from another Socket.IO server may carry
 * several, or none.
 *
 * @param name the event name
 * @param args each argument as JSON text
 */
public record OutboundEvent(String name, List<String> args) {

    public OutboundEvent {
        args = List.copyOf(args);
    }

    public OutboundEvent(String name, String json) {
        this(name, List.of(json));
    }

    /**
     * This event with a connection state recovery offset as its last argument (a JSON string: the offsets this service
     * gives, {@code <epoch>-<n>} or a stream id, need no escaping).
     */
    public OutboundEvent withOffset(String offset) {
        List<String> withOffset = new java.util.ArrayList<>(args.size() + 1);
        withOffset.addAll(args);
        withOffset.add("\"" + offset + "\"");
        return new OutboundEvent(name, withOffset);
    }

    /** About how many characters the arguments take on the wire. */
    public int length() {
        int length = 0;
        for (String arg : args) {
            length += arg.length() + 1;
        }
        return length;
    }
}
