package com.salesmate.realtime.socketio;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * What one channel carries for a session, set by the {@link RequestGate} when it lets a request with a sid through
 * (or by {@link SessionRegistration} for a handshake over websocket): the one channel attribute of the edge.
 *
 * @param session the session
 * @param kind    a waiting GET poll, a POST of packets, or the session's websocket
 */
record ChannelUse(EdgeSession session, Kind kind) {
    enum Kind { POLL, POST, WEBSOCKET }

    private static final AttributeKey<ChannelUse> KEY = AttributeKey.valueOf("salesmate.channel-use");

    static void set(Channel channel, EdgeSession session, Kind kind) {
        channel.attr(KEY).set(new ChannelUse(session, kind));
    }

    /** The use of {@code channel}; null for a channel that serves no session (a handshake, a refused request). */
    static ChannelUse of(Channel channel) {
        return channel.attr(KEY).get();
    }

    /** The session {@code channel} serves, or null. */
    static EdgeSession sessionOf(Channel channel) {
        ChannelUse use = of(channel);
        return use == null ? null : use.session();
    }
}
