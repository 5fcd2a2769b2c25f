package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.salesmate.realtime.hub.DisconnectReason;
import com.salesmate.realtime.hub.SocketEvents;
import com.salesmate.realtime.metrics.SocketMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Every HTTP request to the Socket.IO port passes here before the library sees it, and is answered as the official
 * Engine.IO server does when it is wrong: bad or missing {@code EIO} or {@code transport}, a handshake that is not a
 * GET, an unknown or closed {@code sid}, polling after an upgrade, a second concurrent poll (which also ends the
 * session), a refused Origin, the node's and an address's limits. A CORS preflight is answered here and never makes
 * a session. Sessions the library creates are registered with the hub from here.
 */
@ChannelHandler.Sharable
final class RequestGate extends ChannelInboundHandlerAdapter {
    /** The session a channel serves (its websocket, or the poll it carries). */
    static final AttributeKey<EdgeSession> SESSION = AttributeKey.valueOf("salesmate.session");
    /** Set on a channel whose request is a GET poll. */
    static final AttributeKey<Boolean> POLL = AttributeKey.valueOf("salesmate.poll");
    /** The slot reserved for the handshake a channel carries, until its session is registered. */
    private static final AttributeKey<EdgeSessions.Slot> PENDING = AttributeKey.valueOf("salesmate.pending");
    /** The names Netty's websocket handshaker gives its frame codec. */
    private static final String WS_ENCODER = "wsencoder";
    private static final String WS_DECODER = "wsdecoder";

    private final String path;
    private final Origins origins;
    private final ClientAddresses addresses;
    private final EdgeSessions sessions;
    private final SessionFactory factory;
    private final SocketMetrics metrics;
    private final BooleanSupplier running;
    private final int maxFramePayload;

    /** Makes the edge session for a handshake the library accepted. */
    interface SessionFactory {
        EdgeSession create(ClientHead head, EdgeSessions.Slot slot);
    }

    RequestGate(String path, List<String> allowedOrigins, ClientAddresses addresses, EdgeSessions sessions,
                SessionFactory factory, SocketMetrics metrics, BooleanSupplier running, int maxFramePayload) {
        this.maxFramePayload = maxFramePayload;
        this.path = path;
        this.origins = new Origins(allowedOrigins, addresses);
        this.addresses = addresses;
        this.sessions = sessions;
        this.factory = factory;
        this.metrics = metrics;
        this.running = running;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame frame) {
            frame.release();
            EdgeSession session = ctx.channel().attr(SESSION).get();
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
        QueryStringDecoder query = new QueryStringDecoder(req.uri());
        boolean forwarded = false;
        try {
            if (!query.path().equals(path)) {
                // the library would serve /socket.io/x... itself (500s for unknown sids, and upgrades that escape
                // this gate): every other path is answered here, like any bad request
                refuse("path");
                HttpAnswers.error(ctx.channel(), HttpResponseStatus.NOT_FOUND, HttpAnswers.BAD_REQUEST, "Not found");
                return;
            }
            forwarded = route(ctx, req, query);
        } finally {
            if (!forwarded) {
                ReferenceCountUtil.release(req);
            }
        }
    }

    /** True when the request went on to the library (which releases it). */
    private boolean route(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
        Channel channel = ctx.channel();
        if (HttpMethod.OPTIONS.equals(req.method())) {
            preflight(channel, req);
            return false;
        }
        String transport = first(query, "transport");
        if (!"polling".equals(transport) && !"websocket".equals(transport)) {
            refuse("bad_request");
            HttpAnswers.unknownTransport(channel);
            return false;
        }
        String sid = first(query, "sid");
        return sid == null ? handshake(ctx, req, query, transport) : existing(ctx, req, sid, transport);
    }

    private boolean handshake(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query, String transport) {
        Channel channel = ctx.channel();
        if (!HttpMethod.GET.equals(req.method())) {
            refuse("bad_request");
            HttpAnswers.error(channel, HttpResponseStatus.BAD_REQUEST, HttpAnswers.BAD_HANDSHAKE_METHOD,
                    "Bad handshake method");
            return false;
        }
        if (!"4".equals(first(query, "EIO"))) {
            refuse("bad_request");
            HttpAnswers.error(channel, HttpResponseStatus.BAD_REQUEST, HttpAnswers.UNSUPPORTED_PROTOCOL_VERSION,
                    "Unsupported protocol version");
            return false;
        }
        if ("websocket".equals(transport) && !isUpgrade(req)) {
            refuse("bad_request");
            HttpAnswers.badRequest(channel);
            return false;
        }
        if (!originAllowed(channel, req)) {
            refuse("origin");
            HttpAnswers.error(channel, HttpResponseStatus.FORBIDDEN, HttpAnswers.FORBIDDEN, "Forbidden");
            return false;
        }
        if (!running.getAsBoolean()) {
            refuse("shutting_down");
            HttpAnswers.error(channel, HttpResponseStatus.SERVICE_UNAVAILABLE, HttpAnswers.FORBIDDEN,
                    "Server is shutting down");
            return false;
        }
        String address = addresses.of(channel.remoteAddress(), req.headers());
        if (!sessions.allowHandshake(address)) {
            refuse("rate");
            HttpAnswers.error(channel, HttpResponseStatus.TOO_MANY_REQUESTS, HttpAnswers.FORBIDDEN,
                    "Too many handshakes from this address");
            return false;
        }
        Object reserved = sessions.reserve(address);
        if (reserved == EdgeSessions.Refusal.NODE_FULL) {
            refuse("node_full");
            HttpAnswers.error(channel, HttpResponseStatus.SERVICE_UNAVAILABLE, HttpAnswers.FORBIDDEN,
                    "Too many connections on this node");
            return false;
        }
        if (reserved == EdgeSessions.Refusal.ADDRESS_FULL) {
            refuse("address_full");
            HttpAnswers.error(channel, HttpResponseStatus.TOO_MANY_REQUESTS, HttpAnswers.FORBIDDEN,
                    "Too many connections from this address");
            return false;
        }
        channel.attr(PENDING).set((EdgeSessions.Slot) reserved);
        ctx.fireChannelRead(req); // the library makes the session (and for polling answers the handshake) now
        register(channel);
        EdgeSessions.Slot unused = channel.attr(PENDING).getAndSet(null);
        if (unused != null) {
            unused.release(); // the library made no session
        }
        return true;
    }

    /**
     * Registers the session the library made for this channel's handshake, with the hub too. Called before the first
     * byte of the handshake answer leaves (from the response rewriter), so that a client which uses its sid at once
     * (its first poll and its CONNECT race each other on other connections) always finds it. Nothing to do once
     * registered: one attribute read.
     */
    void register(Channel channel) {
        if (channel.attr(PENDING).get() == null) {
            return;
        }
        ClientHead head = channel.attr(ClientHead.CLIENT).get();
        if (head == null) {
            return; // the library has made no session (yet)
        }
        EdgeSession session = factory.create(head, channel.attr(PENDING).getAndSet(null));
        if (head.getCurrentTransport() == Transport.WEBSOCKET) {
            session.websocket(channel);
            channel.attr(SESSION).set(session);
            correctFrameCodec(channel);
        }
    }

    private boolean existing(ChannelHandlerContext ctx, FullHttpRequest req, String sid, String transport) {
        Channel channel = ctx.channel();
        EdgeSession session = sessions.get(sid);
        if (session == null) {
            HttpAnswers.unknownSid(channel);
            return false;
        }
        HttpMethod method = req.method();
        if (session.isClosing()) {
            // until the session is finished its polls carry the last packets (the reason, 41, close) and its posts
            // are answered and dropped; from then on every request with the sid gets 400 code 1
            boolean polling = "polling".equals(transport) && !session.isUpgraded();
            if (polling && HttpMethod.POST.equals(method) && !session.isFinished()) {
                HttpAnswers.postTaken(channel, allowedOrigin(channel, req));
                return false;
            }
            if (polling && HttpMethod.GET.equals(method) && session.lastPoll(() -> ctx.fireChannelRead(req))) {
                return true;
            }
            session.finish();
            HttpAnswers.unknownSid(channel);
            return false;
        }
        if ("polling".equals(transport)) {
            if (session.isUpgraded() || !(HttpMethod.GET.equals(method) || HttpMethod.POST.equals(method))) {
                HttpAnswers.badRequest(channel);
                return false;
            }
            if (HttpMethod.GET.equals(method)) {
                if (!session.claimPoll(channel)) { // two polls at once: the official server ends the session
                    HttpAnswers.badRequest(channel);
                    session.closeConnection(DisconnectReason.PROTOCOL_ERROR);
                    return false;
                }
                channel.attr(POLL).set(Boolean.TRUE);
            }
            channel.attr(SESSION).set(session);
            ctx.fireChannelRead(req);
            return true;
        }
        Channel current = session.websocket();
        if (!HttpMethod.GET.equals(method) || !isUpgrade(req) || session.isUpgraded()
                || (current != null && current.isActive())) {
            HttpAnswers.badRequest(channel);
            return false;
        }
        session.websocket(channel);
        channel.attr(SESSION).set(session);
        ctx.fireChannelRead(req);
        correctFrameCodec(channel);
        return true;
    }

    /**
     * After the library's websocket handshake, two corrections of the frame codec Netty put in. Its encoder sits after
     * its decoder here (the library has a separate HTTP decoder and encoder, not a codec), so a close frame the decoder
     * writes would skip the encoder: a fresh encoder goes in front (a handler instance cannot be re-added). And its
     * decoder closes the connection at once on a violation (an oversized frame), which resets it under a client still
     * sending, so that client never reads why: a decoder that reports the violation instead takes its place (it has read
     * nothing yet), then discards the rest, and the session closes with a close frame and a bound.
     */
    private void correctFrameCodec(Channel channel) {
        var pipeline = channel.pipeline();
        if (pipeline.get(WS_ENCODER) instanceof WebSocket13FrameEncoder
                && pipeline.get(WS_DECODER) instanceof WebSocket13FrameDecoder) {
            pipeline.remove(WS_ENCODER);
            pipeline.addFirst(WS_ENCODER, new WebSocket13FrameEncoder(false));
            pipeline.replace(WS_DECODER, WS_DECODER, new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(maxFramePayload)
                    .allowExtensions(true)
                    .expectMaskedFrames(true)
                    .closeOnProtocolViolation(false)
                    .build()));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        EdgeSession session = ctx.channel().attr(SESSION).get();
        if (session != null) {
            session.pollDone(ctx.channel());
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
            refuse("origin");
            HttpAnswers.error(channel, HttpResponseStatus.FORBIDDEN, HttpAnswers.FORBIDDEN, "Forbidden");
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

    private void refuse(String why) {
        metrics.handshakeRefused(why);
    }

    private static boolean isUpgrade(FullHttpRequest req) {
        return req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private static String first(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
