package com.salesmate.realtime.socketio;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The last handler of the pipeline: errors raised after the library's packet handler (its websocket aggregator's
 * "too long" among them) would otherwise reach Netty's tail, be logged and change nothing. They get the same
 * treatment as the others.
 */
@ChannelHandler.Sharable
final class ErrorTail extends ChannelInboundHandlerAdapter {
    private final EdgeExceptions exceptions;

    ErrorTail(EdgeExceptions exceptions) {
        this.exceptions = exceptions;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        exceptions.exceptionCaught(ctx, cause);
    }
}
