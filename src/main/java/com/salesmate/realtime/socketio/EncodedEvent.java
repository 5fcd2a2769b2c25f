package com.salesmate.realtime.socketio;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.salesmate.realtime.hub.OutboundEvent;

import java.nio.charset.StandardCharsets;

/**
 * An event's Socket.IO payload, {@code ["name",arg,...]}, as the UTF-8 bytes netty-socketio's encoder would write,
 * built once per emit (once per fan-out, {@link EdgeFanout}): every recipient's packet then copies these bytes instead
 * of running Jackson again ({@link SocketJson} writes them). The arguments are JSON already; only the name is
 * escaped here, as Jackson escapes a string.
 */
final class EncodedEvent {
    private final byte[] json;

    private EncodedEvent(byte[] json) {
        this.json = json;
    }

    static EncodedEvent of(OutboundEvent event) {
        StringBuilder text = new StringBuilder(event.length() + event.name().length() + 8).append("[\"");
        JsonStringEncoder.getInstance().quoteAsString(event.name(), text);
        text.append('"');
        for (String arg : event.args()) {
            text.append(',').append(arg);
        }
        return new EncodedEvent(text.append(']').toString().getBytes(StandardCharsets.UTF_8));
    }

    byte[] bytes() {
        return json;
    }
}
