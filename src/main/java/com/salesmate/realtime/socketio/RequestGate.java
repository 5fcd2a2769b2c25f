package com.salesmate.realtime.socketio;

import com.salesmate.realtime.hub.DisconnectReason;
import com.salesmate.realtime.metrics.SocketMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Every HTTP request to the Socket.IO port passes here before the library sees it, and is decided here as the official
 * Engine.IO server's {@code verify()} does: one function per kind of request, every refusal answered from the
 * {@link Refusal} table — a path other than {@code /socket.io/}, bad or missing {@code EIO} or {@code transport}, a
 * handshake that is not a GET, an unknown, expired or closed {@code sid}, polling after an upgrade, a second
 * concurrent poll (which also ends the session), a refused Origin, the node's and an address's limits. A CORS
 * preflight is answered here and never makes a session. A second websocket for a session that is upgraded or
 * upgrading is opened and closed at once, as the official server does.
 */
@ChannelHandler.Sharable
final class RequestGate extends ChannelInboundHandlerAdapter {
    private final String path;
    private final Origins origins;
    private final ClientAddresses addresses;
    private final EdgeSessions sessions;
    private final SocketMetrics metrics;
    private final BooleanSupplier running;
    private final int maxFramePayload;

    RequestGate(String path, Origins origins, ClientAddresses addresses, EdgeSessions sessions, SocketMetrics metrics,
                BooleanSupplier running, int maxFramePayload) {
        this.path = path;
        this.origins = origins;
        this.addresses = addresses;
        this.sessions = sessions;
        this.metrics = metrics;
        this.running = running;
        this.maxFramePayload = maxFramePayload;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame frame) {
            frame.release();
            EdgeSession session = ChannelUse.sessionOf(ctx.channel());
            if (session != null) {
                session.closeConnection(DisconnectReason.PROTOCOL_ERROR);
            }
            metrics.malformed();
            ctx.close();
            return;
        }
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean forwarded = false;
        try {
            forwarded = route(ctx, req);
        } finally {
            if (!forwarded) {
                ReferenceCountUtil.release(req);
            }
        }
    }

    /** True when the request went on to the library (which releases it). */
    private boolean route(ChannelHandlerContext ctx, FullHttpRequest req) {
        Channel channel = ctx.channel();
        QueryStringDecoder query = new QueryStringDecoder(req.uri());
        if (!query.path().equals(path)) {
            // the library would serve /socket.io/x... itself (500s for unknown sids, and upgrades that escape this
            // gate): every other path is answered here, like any bad request
            return refuse(channel, Refusal.NOT_FOUND);
        }
        if (HttpMethod.OPTIONS.equals(req.method())) {
            preflight(channel, req);
            return false;
        }
        String transport = first(query, "transport");
        if (!"polling".equals(transport) && !"websocket".equals(transport)) {
            return refuse(channel, Refusal.UNKNOWN_TRANSPORT);
        }
        boolean websocket = "websocket".equals(transport);
        String sid = first(query, "sid");
        if (sid == null) {
            return handshake(ctx, req, query, websocket);
        }
        EdgeSession session = sessions.get(sid);
        if (session == null) {
            return refuse(channel, Refusal.UNKNOWN_SID);
        }
        if (!session.isClosing() && session.expired(System.nanoTime())) {
            session.closedByClient(DisconnectReason.TRANSPORT_CLOSE); // silent past pingInterval + pingTimeout
        }
        if (session.isClosing()) {
            return closing(ctx, req, session, websocket);
        }
        return websocket ? upgrade(ctx, req, session) : poll(ctx, req, session);
    }

    /** A new session: admitted by every check and limit, then made by the library. */
    private boolean handshake(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query,
                              boolean websocket) {
        Channel channel = ctx.channel();
        if (!HttpMethod.GET.equals(req.method())) {
            return refuse(channel, Refusal.BAD_HANDSHAKE_METHOD);
        }
        if (!"4".equals(first(query, "EIO"))) {
            return refuse(channel, Refusal.UNSUPPORTED_PROTOCOL_VERSION);
        }
        if (websocket && !isUpgrade(req)) {
            return refuse(channel, Refusal.BAD_REQUEST);
        }
        if (!originAllowed(channel, req)) {
            return refuse(channel, Refusal.FORBIDDEN);
        }
        if (!running.getAsBoolean()) {
            return refuse(channel, Refusal.SHUTTING_DOWN);
        }
        Admission admission = sessions.admit(addresses.of(channel.remoteAddress(), req.headers()));
        if (admission instanceof Admission.Refused refused) {
            return refuse(channel, refused.refusal());
        }
        SessionRegistration.admitted(channel, ((Admission.Admitted) admission).slot());
        ctx.fireChannelRead(req); // the library makes the session and answers; SessionRegistration registers it
        SessionRegistration.handled(channel);
        if (websocket) {
            correctFrameCodec(channel);
        }
        return true;
    }

    /** A polling request of an open session. */
    private boolean poll(ChannelHandlerContext ctx, FullHttpRequest req, EdgeSession session) {
        Channel channel = ctx.channel();
        HttpMethod method = req.method();
        if (HttpMethod.POST.equals(method)) {
            if (session.isUpgraded()) {
                return refuse(channel, Refusal.OUT_OF_STATE);
            }
            ChannelUse.set(channel, session, ChannelUse.Kind.POST);
        } else if (HttpMethod.GET.equals(method)) {
            switch (session.claimPoll(channel)) {
                case UPGRADED -> {
                    return refuse(channel, Refusal.OUT_OF_STATE);
                }
                case ANOTHER_WAITING -> { // two polls at once: the official server ends the session
                    refuse(channel, Refusal.OUT_OF_STATE);
                    session.closeConnection(DisconnectReason.PROTOCOL_ERROR);
                    return false;
                }
                case CLAIMED -> ChannelUse.set(channel, session, ChannelUse.Kind.POLL);
            }
        } else {
            return refuse(channel, Refusal.OUT_OF_STATE);
        }
        ctx.fireChannelRead(req);
        return true;
    }

    /** A websocket with the sid of an open session: its upgrade from polling. */
    private boolean upgrade(ChannelHandlerContext ctx, FullHttpRequest req, EdgeSession session) {
        Channel channel = ctx.channel();
        if (!HttpMethod.GET.equals(req.method()) || !isUpgrade(req)) {
            return refuse(channel, Refusal.OUT_OF_STATE);
        }
        if (!session.upgrading(channel)) {
            openAndClose(channel, req); // upgraded already, or upgrading on another websocket
            return false;
        }
        ChannelUse.set(channel, session, ChannelUse.Kind.WEBSOCKET);
        ctx.fireChannelRead(req);
        correctFrameCodec(channel);
        return true;
    }

    /**
     * A request of a closing session. Until the session is finished its polls carry the last packets (the reason, 41,
     * close) and its posts are answered and dropped; from then on every request with the sid gets 400 code 1.
     */
    private boolean closing(ChannelHandlerContext ctx, FullHttpRequest req, EdgeSession session, boolean websocket) {
        Channel channel = ctx.channel();
        boolean polling = !websocket && !session.isUpgraded();
        if (polling && HttpMethod.POST.equals(req.method()) && !session.isFinished()) {
            HttpAnswers.postTaken(channel, allowedOrigin(channel, req));
            return false;
        }
        if (polling && HttpMethod.GET.equals(req.method()) && session.lastPoll(channel, () -> {
            ChannelUse.set(channel, session, ChannelUse.Kind.POLL);
            ctx.fireChannelRead(req);
        })) {
            return true;
        }
        session.finish();
        return refuse(channel, Refusal.UNKNOWN_SID);
    }

    /**
     * Completes the websocket handshake and closes the websocket at once: what the official server does with a
     * websocket that cannot become the session's transport. The client sees it open and close, not an HTTP error.
     */
    private void openAndClose(Channel channel, FullHttpRequest req) {
        String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + path;
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url, null, true)
                .newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(channel)
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        handshaker.handshake(channel, req).addListener(done -> {
            if (done.isSuccess()) {
                handshaker.close(channel, new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
            } else {
                channel.close();
            }
        });
    }

    /**
     * After the library's websocket handshake, two corrections of the frame codec Netty put in. Its encoder sits after
     * its decoder here (the library has a separate HTTP decoder and encoder, not a codec), so a close frame the decoder
     * writes would skip the encoder: a fresh encoder goes in front (a handler instance cannot be re-added). And its
     * decoder closes the connection at once on a violation (an oversized frame), which resets it under a client still
     * sending, so that client never reads why: a decoder that reports the violation instead takes its place (it has read
     * nothing yet), then discards the rest, and the session closes with a close frame and a bound. The codec is found
     * by its types, not by the handler names Netty gives it.
     */
    private void correctFrameCodec(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        ChannelHandlerContext encoder = pipeline.context(WebSocketFrameEncoder.class);
        ChannelHandlerContext decoder = pipeline.context(WebSocketFrameDecoder.class);
        if (encoder == null || decoder == null || encoder.handler() instanceof FirstFrameEncoder) {
            return; // not a websocket (the library refused the upgrade), or corrected already
        }
        String encoderName = encoder.name();
        pipeline.remove(encoder.handler());
        pipeline.addFirst(encoderName, new FirstFrameEncoder());
        pipeline.replace(decoder.name(), decoder.name(), new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxFramePayload)
                .allowExtensions(true)
                .expectMaskedFrames(true)
                .closeOnProtocolViolation(false)
                .build()));
    }

    /** Netty's frame encoder, put first in the pipeline by {@link #correctFrameCodec} (a type of its own marks it). */
    private static final class FirstFrameEncoder extends WebSocket13FrameEncoder {
        FirstFrameEncoder() {
            super(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ChannelUse use = ChannelUse.of(ctx.channel());
        if (use != null) {
            switch (use.kind()) {
                case POLL -> use.session().pollDone(ctx.channel());
                case WEBSOCKET -> use.session().websocketClosed(ctx.channel());
                default -> {
                }
            }
        }
        super.channelInactive(ctx);
    }

    private String allowedOrigin(Channel channel, FullHttpRequest req) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        return origin != null && originAllowed(channel, req) ? origin : null;
    }

    private boolean originAllowed(Channel channel, FullHttpRequest req) {
        return origins.allowed(req.headers().get(HttpHeaderNames.ORIGIN), req.headers(), channel.remoteAddress());
    }

    /** CORS preflight: allowed Origins get the headers the polling transport needs; nothing else happens. */
    private void preflight(Channel channel, FullHttpRequest req) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null || !originAllowed(channel, req)) {
            refuse(channel, Refusal.FORBIDDEN);
            return;
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT,
                Unpooled.EMPTY_BUFFER);
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST");
        String requested = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, requested != null ? requested : "content-type");
        res.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        HttpAnswers.send(channel, res);
    }

    /** Answers {@code refusal} (counted when it refuses a new session); false: nothing went on to the library. */
    private boolean refuse(Channel channel, Refusal refusal) {
        if (refusal.metric() != null) {
            metrics.handshakeRefused(refusal.metric());
        }
        HttpAnswers.refuse(channel, refusal);
        return false;
    }

    private static boolean isUpgrade(FullHttpRequest req) {
        return req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private static String first(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
