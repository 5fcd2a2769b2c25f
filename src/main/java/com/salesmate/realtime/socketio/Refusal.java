package com.salesmate.realtime.socketio;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Every HTTP refusal of the edge, answered from this one table in Engine.IO's error shape
 * {@code {"code":N,"message":"..."}} with the official server's codes (0 unknown transport, 1 unknown session id,
 * 2 bad handshake method, 3 bad request, 4 forbidden, 5 unsupported protocol version), and counted in
 * {@code socketio.handshakes.refused.<metric>} when it refuses a new session.
 */
enum Refusal {
    UNKNOWN_TRANSPORT(HttpResponseStatus.BAD_REQUEST, 0, "Transport unknown", "bad_request"),
    UNKNOWN_SID(HttpResponseStatus.BAD_REQUEST, 1, "Session ID unknown", null),
    BAD_HANDSHAKE_METHOD(HttpResponseStatus.BAD_REQUEST, 2, "Bad handshake method", "bad_request"),
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, 3, "Bad request", "bad_request"),
    /** A request on the session that is not allowed in its state (polling after an upgrade, a second poll). */
    OUT_OF_STATE(HttpResponseStatus.BAD_REQUEST, 3, "Bad request", null),
    UNSUPPORTED_PROTOCOL_VERSION(HttpResponseStatus.BAD_REQUEST, 5, "Unsupported protocol version", "bad_request"),
    NOT_FOUND(HttpResponseStatus.NOT_FOUND, 3, "Not found", "path"),
    FORBIDDEN(HttpResponseStatus.FORBIDDEN, 4, "Forbidden", "origin"),
    SHUTTING_DOWN(HttpResponseStatus.SERVICE_UNAVAILABLE, 4, "Server is shutting down", "shutting_down"),
    HANDSHAKE_RATE(HttpResponseStatus.TOO_MANY_REQUESTS, 4, "Too many handshakes from this address", "rate"),
    NODE_FULL(HttpResponseStatus.SERVICE_UNAVAILABLE, 4, "Too many connections on this node", "node_full"),
    ADDRESS_FULL(HttpResponseStatus.TOO_MANY_REQUESTS, 4, "Too many connections from this address", "address_full"),
    PAYLOAD_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, 3, "Payload too large", null);

    private final HttpResponseStatus status;
    private final int code;
    private final String message;
    private final String metric;

    Refusal(HttpResponseStatus status, int code, String message, String metric) {
        this.status = status;
        this.code = code;
        this.message = message;
        this.metric = metric;
    }

    HttpResponseStatus status() {
        return status;
    }

    /** The body: {@code {"code":N,"message":"..."}}. */
    String body() {
        return "{\"code\":" + code + ",\"message\":\"" + message + "\"}";
    }

    /** The name a refused handshake is counted under; null when it is not a handshake's refusal. */
    String metric() {
        return metric;
    }
}
