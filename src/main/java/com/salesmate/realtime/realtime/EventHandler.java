package com.salesmate.realtime.realtime;

import com.corundumstudio.socketio.AckRequest;
import com.fasterxml.jackson.databind.JsonNode;

/** One inbound event's handler. Throw {@link com.salesmate.realtime.core.ApiException} to refuse. */
@FunctionalInterface
interface EventHandler {
    void handle(Connection connection, JsonNode payload, AckRequest ack);
}
