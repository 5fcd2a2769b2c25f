package com.salesmate.realtime.socketio;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The edge's own HTTP answers: Engine.IO's error shape {@code {"code":N,"message":"..."}} with the official server's
 * codes, always {@code Connection: close} and then closed, so no client is told keep-alive and dropped.
 */
final class HttpAnswers {
    private HttpAnswers() {
    }

    /** Answers {@code refusal} in Engine.IO's error shape, then closes. */
    static void refuse(Channel channel, Refusal refusal) {
        send(channel, errorResponse(refusal));
    }

    /** What the polling transport answers a POST: {@code ok} (the packets of a closing session are dropped). */
    static void postTaken(Channel channel, String allowedOrigin) {
        FullHttpResponse res = response(HttpResponseStatus.OK, HttpHeaderValues.TEXT_HTML, "ok");
        if (allowedOrigin != null) {
            res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowedOrigin);
            res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        send(channel, res);
    }

    /** Writes from the pipeline's tail (through the HTTP encoder wherever the caller sits), then closes. */
    static void send(Channel channel, FullHttpResponse res) {
        closing(res);
        channel.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * As {@link #refuse}, for a request whose body is still arriving: closing at once would reset the connection under
     * a client still sending, and it would never read the answer. The rest of the body is discarded; the connection
     * is closed when the client closes it, or after {@code grace}.
     */
    static void refuseBeforeBodyEnds(Channel channel, Refusal refusal, long graceMillis) {
        channel.writeAndFlush(closing(errorResponse(refusal)));
        channel.eventLoop().schedule(() -> channel.close(), graceMillis, TimeUnit.MILLISECONDS);
    }

    /** Engine.IO's error shape. */
    private static FullHttpResponse errorResponse(Refusal refusal) {
        return response(refusal.status(), HttpHeaderValues.APPLICATION_JSON, refusal.body());
    }

    private static FullHttpResponse response(HttpResponseStatus status, CharSequence contentType, String body) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return res;
    }

    /** Its length and {@code Connection: close}, which the edge always keeps. */
    private static FullHttpResponse closing(FullHttpResponse res) {
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return res;
    }
}
