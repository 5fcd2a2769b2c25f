package com.salesmate.realtime.socketio;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import io.netty.channel.ChannelPipeline;

import java.util.function.Supplier;

/**
 * The library's pipeline with the project's handlers around it: the body limit in place of its aggregator, the request
 * gate, the session registration and the response rewriter after the HTTP codec, the packet gate before its packet
 * handler, an error handler at the end.
 */
final class EdgePipeline extends SocketIOChannelInitializer {
    static final String REQUEST_GATE = "salesmateRequestGate";
    static final String SESSION_REGISTRATION = "salesmateSessionRegistration";
    static final String RESPONSE_REWRITER = "salesmateResponseRewriter";
    static final String PACKET_GATE = "salesmatePacketGate";
    static final String ERROR_TAIL = "salesmateErrorTail";

    private final RequestGate requests;
    private final SessionRegistration registration;
    private final ResponseRewriter responses;
    private final PacketGate packets;
    private final Supplier<BodyLimit> bodyLimit;
    private final ErrorTail errors;

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
    protected void addSocketioHandlers(ChannelPipeline pipeline) {
        super.addSocketioHandlers(pipeline);
        pipeline.replace(HTTP_AGGREGATOR, HTTP_AGGREGATOR, bodyLimit.get());
        pipeline.addAfter(HTTP_ENCODER, REQUEST_GATE, requests);
        pipeline.addAfter(REQUEST_GATE, SESSION_REGISTRATION, registration);
        pipeline.addAfter(SESSION_REGISTRATION, RESPONSE_REWRITER, responses);
        pipeline.addBefore(PACKET_HANDLER, PACKET_GATE, packets);
        pipeline.addLast(ERROR_TAIL, errors);
    }
}
