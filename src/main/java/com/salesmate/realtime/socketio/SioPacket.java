package com.salesmate.realtime.socketio;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One Socket.IO v5 packet as a client sends it in an Engine.IO message ({@code 4...}), parsed strictly: type, namespace,
 * ack id, JSON payload. Anything the protocol does not allow is {@link Malformed}; the edge closes the connection
 * for it, as the official server does for a parse error.
 */
record SioPacket(int type, String nsp, Long ackId, JsonNode payload) {
    static final int CONNECT = 0;
    static final int DISCONNECT = 1;
    static final int EVENT = 2;
    static final int ACK = 3;
    static final int CONNECT_ERROR = 4;
    static final String DEFAULT_NSP = "/";
    /** Socket.IO payloads of this service are shallow; deeper input is refused before it costs anything. */
    private static final int MAX_DEPTH = 32;
    /** netty-socketio's packet encoder writes ack ids up to Integer.MAX_VALUE only; clients count from 0. */
    private static final int MAX_ACK_DIGITS = 10;
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Why a packet was refused; says nothing of its content (which may hold a token). */
    static final class Malformed extends Exception {
        Malformed(String why) {
            super(why, null, false, false);
        }
    }

    /** Parses the text after the Engine.IO message type {@code 4}. */
    static SioPacket parse(String text) throws Malformed {
        if (text.isEmpty()) {
            throw new Malformed("empty Socket.IO packet");
        }
        int type = text.charAt(0) - '0';
        if (type == 5 || type == 6) {
            throw new Malformed("binary packets are not supported");
        }
        if (type < CONNECT || type > CONNECT_ERROR) {
            throw new Malformed("unknown Socket.IO packet type");
        }
        int i = 1;
        String nsp = DEFAULT_NSP;
        if (i < text.length() && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            nsp = comma < 0 ? text.substring(i) : text.substring(i, comma);
            i = comma < 0 ? text.length() : comma + 1;
        }
        int digits = i;
        while (digits < text.length() && text.charAt(digits) >= '0' && text.charAt(digits) <= '9') {
            digits++;
        }
        Long ackId = null;
        if (digits > i) {
            if (digits - i > MAX_ACK_DIGITS) {
                throw new Malformed("invalid ack id");
            }
            ackId = Long.parseLong(text.substring(i, digits));
            if (ackId > Integer.MAX_VALUE) {
                throw new Malformed("ack id too large");
            }
        }
        String body = text.substring(digits);
        JsonNode payload = body.isEmpty() ? null : json(body);
        SioPacket packet = new SioPacket(type, nsp, ackId, payload);
        packet.check();
        return packet;
    }

    private static JsonNode json(String body) throws Malformed {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Malformed("payload is not valid JSON or is nested too deeply");
        }
    }

    private void check() throws Malformed {
        switch (type) {
            case CONNECT -> {
                if (ackId != null || (payload != null && !payload.isObject())) {
                    throw new Malformed("CONNECT payload must be an object");
                }
            }
            case DISCONNECT -> {
                if (ackId != null || payload != null) {
                    throw new Malformed("DISCONNECT has no payload");
                }
            }
            case EVENT -> {
                if (payload == null || !payload.isArray() || payload.isEmpty()
                        || !(payload.get(0).isTextual() || payload.get(0).isNumber())) {
                    throw new Malformed("EVENT payload must be an array starting with the event name");
                }
            }
            case ACK -> {
                if (ackId == null || payload == null || !payload.isArray()) {
                    throw new Malformed("ACK needs an id and an array");
                }
            }
            default -> throw new Malformed("a client may not send CONNECT_ERROR");
        }
    }

    /** The event name, or null for a numeric name (allowed by the protocol, unknown to this service). */
    String eventName() {
        JsonNode name = payload.get(0);
        return name.isTextual() ? name.asText() : null;
    }

    /** The event's first argument (the payload object of this service's events), or null. */
    JsonNode firstArgument() {
        return payload.size() > 1 ? payload.get(1) : null;
    }
}
