package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.handler.EncoderHandler;
import com.corundumstudio.socketio.namespace.NamespacesHub;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * The library's pipeline with the project's handlers around it: flush consolidation first, the body limit in place of
 * its aggregator, the request gate, the session registration and the response rewriter after the HTTP codec, the
 * packet gate before its packet handler, the library's encoder with {@link PollingPayloads} (polling payloads bounded
 * without loss), an error handler at the end.
 *
 * <p>Flush consolidation: the library flushes once per packet (its encoder's {@code writeAndFlush}), each flush a
 * socket write of its own. Netty's {@link FlushConsolidationHandler} at the head of the pipeline (after TLS, were it
 * on) holds a flush while the channel's read is in progress (until its read completes) and otherwise hands it to a
 * task submitted to the channel's own event loop ({@code consolidateWhenNoReadInProgress}): not a timer, the task runs
 * in the same turn of the loop, after the tasks already queued, so a lone packet leaves as soon as before and packets
 * queued for one channel meanwhile (an ack and an event, a reply and the CONNECT answer) leave in one {@code writev}.
 * It also flushes before a close and when the channel turns unwritable. The fan-outs consolidate their own flushes
 * (one task per loop and fan-out, {@link GroupedWrites}) and flush past it ({@link #flushNow}).
 */
final class EdgePipeline extends SocketIOChannelInitializer {
    static final String FLUSH_CONSOLIDATION = "salesmateFlushConsolidation";
    static final String REQUEST_GATE = "salesmateRequestGate";
    static final String SESSION_REGISTRATION = "salesmateSessionRegistration";
    static final String RESPONSE_REWRITER = "salesmateResponseRewriter";
    static final String PACKET_GATE = "salesmatePacketGate";
    static final String ERROR_TAIL = "salesmateErrorTail";
    /** Flushes held at most before one is let through (Netty's default). */
    private static final int EXPLICIT_FLUSH_AFTER = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;

    private final RequestGate requests;
    private final SessionRegistration registration;
    private final ResponseRewriter responses;
    private final PacketGate packets;
    private final Supplier<BodyLimit> bodyLimit;
    private final ErrorTail errors;
    private EncoderHandler encoder;

    EdgePipeline(RequestGate requests, SessionRegistration registration, ResponseRewriter responses, PacketGate packets,
                 Supplier<BodyLimit> bodyLimit, ErrorTail errors) {
        this.requests = requests;
        this.registration = registration;
        this.responses = responses;
        this.packets = packets;
        this.bodyLimit = bodyLimit;
        this.errors = errors;
    }

    @Override
    public void start(Configuration configuration, NamespacesHub namespaces) {
        super.start(configuration, namespaces);
        try {
            encoder = new EncoderHandler(configuration, new PollingPayloads(configuration));
        } catch (IOException e) { // it reads the library's manifest only to add a version header, which is off
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void addSocketioHandlers(ChannelPipeline pipeline) {
        super.addSocketioHandlers(pipeline);
        FlushConsolidationHandler flushes = new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER, true);
        if (pipeline.get(SSL_HANDLER) != null) {
            pipeline.addAfter(SSL_HANDLER, FLUSH_CONSOLIDATION, flushes); // a flush must still reach TLS
        } else {
            pipeline.addFirst(FLUSH_CONSOLIDATION, flushes);
        }
        pipeline.replace(HTTP_AGGREGATOR, HTTP_AGGREGATOR, bodyLimit.get());
        pipeline.addAfter(HTTP_ENCODER, REQUEST_GATE, requests);
        pipeline.addAfter(REQUEST_GATE, SESSION_REGISTRATION, registration);
        pipeline.addAfter(SESSION_REGISTRATION, RESPONSE_REWRITER, responses);
        pipeline.addBefore(PACKET_HANDLER, PACKET_GATE, packets);
        pipeline.replace(SOCKETIO_ENCODER, SOCKETIO_ENCODER, encoder);
        pipeline.addLast(ERROR_TAIL, errors);
    }

    /**
     * Flushes {@code channel} now, past the flush consolidation: for a caller that consolidated its flushes itself
     * ({@link GroupedWrites}), where deferring again would only cost a task per channel.
     */
    static void flushNow(Channel channel) {
        ChannelHandlerContext first = channel.pipeline().firstContext();
        ChannelHandlerContext ctx = first != null && first.handler() instanceof FlushConsolidationHandler ? first
                : channel.pipeline().context(FLUSH_CONSOLIDATION);
        if (ctx != null) {
            ctx.flush(); // from the handler's context on: the handlers before it and the socket
        } else {
            channel.flush();
        }
    }
}
