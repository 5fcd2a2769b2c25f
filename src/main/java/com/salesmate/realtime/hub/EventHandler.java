package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.JsonNode;

/** One inbound event's handler. Throw {@link com.salesmate.realtime.core.ApiException} to refuse. */
@FunctionalInterface
interface EventHandler {
    void handle(Connection connection, JsonNode payload, Ack ack);
}
