package com.salesmate.realtime.socketio;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;

/**
 * Registers the session the library made for a handshake before the first byte of its answer leaves, so that a client
 * which uses its sid at once (its first poll and its CONNECT race each other on other connections) always finds it.
 * The {@link RequestGate} admits the handshake and leaves its slot on the channel; the library makes its session while
 * it answers; the answer's first write passes here. Nothing to do for any other write: one attribute read.
 */
@ChannelHandler.Sharable
final class SessionRegistration extends ChannelOutboundHandlerAdapter {
    /** The slot admitted for the handshake a channel carries, until its session is registered. */
    private static final AttributeKey<EdgeSessions.Slot> ADMITTED = AttributeKey.valueOf("salesmate.admitted");

    /** Makes and registers the edge's session for a session the library made. */
    interface Sessions {
        EdgeSession create(LibrarySession library, EdgeSessions.Slot slot);
    }

    private final Sessions sessions;

    SessionRegistration(Sessions sessions) {
        this.sessions = sessions;
    }

    /** The gate admitted a handshake on {@code channel} with {@code slot}; the library answers it next. */
    static void admitted(Channel channel, EdgeSessions.Slot slot) {
        channel.attr(ADMITTED).set(slot);
    }

    /** After the library handled the handshake: a slot it made no session for is released. */
    static void handled(Channel channel) {
        EdgeSessions.Slot unused = channel.attr(ADMITTED).getAndSet(null);
        if (unused != null) {
            unused.release();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        register(ctx.channel());
        super.write(ctx, msg, promise);
    }

    /** Registers the channel's handshake session, if the library has made it and it is not registered yet. */
    void register(Channel channel) {
        if (channel.attr(ADMITTED).get() == null) {
            return;
        }
        LibrarySession library = ClientHeadSession.of(channel);
        if (library == null) {
            return; // the library has made no session (yet)
        }
        EdgeSession session = sessions.create(library, channel.attr(ADMITTED).getAndSet(null));
        if (library.upgraded()) { // a handshake over websocket: this channel is the session's
            ChannelUse.set(channel, session, ChannelUse.Kind.WEBSOCKET);
            session.open(channel);
        } else {
            session.open(null);
        }
    }
}
