package com.salesmate.realtime.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The {@code error} event: a refused client event that asked for no ack; {@code field} only when there is one. */
public record ErrorEvent(String event, String code, String message,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String field) {
}
