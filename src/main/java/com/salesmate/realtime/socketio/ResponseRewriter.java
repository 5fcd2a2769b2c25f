package com.salesmate.realtime.socketio;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Corrects the library's polling responses on their way out: it writes {@code Connection: keep-alive} and then closes
 * the connection (clients that reuse it get "socket hang up", and a browser does not retry a POST), so they say
 * {@code Connection: close}, which is what happens. It also tells the session how much of its queue a poll carried.
 */
@ChannelHandler.Sharable
final class ResponseRewriter extends ChannelOutboundHandlerAdapter {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse res && res.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ChannelUse use = ChannelUse.of(ctx.channel());
            if (use != null && use.kind() == ChannelUse.Kind.POLL) {
                use.session().drained(HttpUtil.getContentLength(res, 0L));
                // answered: the client may poll again at once, before this connection's close has been seen
                use.session().pollDone(ctx.channel());
            }
        }
        super.write(ctx, msg, promise);
    }
}
