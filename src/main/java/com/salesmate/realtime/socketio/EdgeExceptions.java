package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.listener.ExceptionListener;
import com.salesmate.realtime.hub.DisconnectReason;
import com.salesmate.realtime.metrics.SocketMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The library's exception listener: a frame over the limit or a broken websocket frame ends the session with its
 * reason; other channel errors close the channel. Logged without session ids.
 */
final class EdgeExceptions implements ExceptionListener {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeExceptions.class);

    private final SocketMetrics metrics;

    EdgeExceptions(SocketMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public boolean exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
        EdgeSession session = ChannelUse.sessionOf(ctx.channel());
        DisconnectReason reason = e instanceof TooLongFrameException
                || (e instanceof CorruptedWebSocketFrameException && String.valueOf(e.getMessage()).contains("length"))
                ? DisconnectReason.PAYLOAD_TOO_LARGE
                : e instanceof CorruptedWebSocketFrameException ? DisconnectReason.PROTOCOL_ERROR : null;
        if (reason == DisconnectReason.PROTOCOL_ERROR) {
            metrics.malformed();
        }
        LOG.debug("socket channel error: {}", e.getClass().getSimpleName());
        if (session != null && reason != null) {
            session.closeConnection(reason); // on its websocket: a close frame with the reason's code, then closed
        }
        if (session == null || reason == null || session.websocket() != ctx.channel()) {
            ctx.close();
        }
        return true;
    }

    @Override
    public void onEventException(Exception e, List<Object> args, SocketIOClient client) {
        metrics.handlerError();
        LOG.error("event listener failed", e);
    }

    @Override
    public void onDisconnectException(Exception e, SocketIOClient client) {
        LOG.error("disconnect listener failed", e);
    }

    @Override
    public void onConnectException(Exception e, SocketIOClient client) {
        LOG.error("connect listener failed", e);
    }

    @Override
    public void onPingException(Exception e, SocketIOClient client) {
        LOG.debug("ping listener failed: {}", e.toString());
    }

    @Override
    public void onPongException(Exception e, SocketIOClient client) {
        LOG.debug("pong listener failed: {}", e.toString());
    }

    @Override
    public void onAuthException(Throwable e, SocketIOClient client) {
        LOG.error("auth listener failed", e);
    }
}
