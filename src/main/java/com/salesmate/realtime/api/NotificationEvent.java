package com.salesmate.realtime.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/** The {@code notification} event; {@code title}, {@code type} and {@code data} are left out when absent. */
public record NotificationEvent(String id,
                                @JsonInclude(JsonInclude.Include.NON_NULL) String title,
                                String message,
                                @JsonInclude(JsonInclude.Include.NON_NULL) String type,
                                @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode data,
                                long createdAt) {
}
