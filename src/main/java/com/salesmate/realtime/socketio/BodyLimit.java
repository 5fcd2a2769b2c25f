package com.salesmate.realtime.socketio;

import com.salesmate.realtime.hub.DisconnectReason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;

/**
 * The HTTP body limit, in place of the library's aggregator: a polling body over the limit gets 413 in Engine.IO's
 * error shape (the library's aggregator writes its 413 from a place in the pipeline that skips the HTTP encoder) and
 * ends the session it was meant for, counted as payload_too_large.
 */
final class BodyLimit extends HttpObjectAggregator {
    /** How long the rest of a refused body may keep arriving (and is discarded) before the connection is closed. */
    private static final long BODY_GRACE_MILLIS = 2_000;
    private final EdgeSessions sessions;

    BodyLimit(int maxContentLength, EdgeSessions sessions) {
        super(maxContentLength);
        this.sessions = sessions;
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        return null; // as the library: no 100-continue
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (oversized instanceof HttpRequest req) {
            List<String> sid = new QueryStringDecoder(req.uri()).parameters().get("sid");
            EdgeSession session = sid == null || sid.isEmpty() ? null : sessions.get(sid.get(0));
            if (session != null) {
                session.closeConnection(DisconnectReason.PAYLOAD_TOO_LARGE);
            }
        }
        HttpAnswers.refuseBeforeBodyEnds(ctx.channel(), Refusal.PAYLOAD_TOO_LARGE, BODY_GRACE_MILLIS);
    }


}
