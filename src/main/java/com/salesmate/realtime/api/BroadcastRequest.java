package com.salesmate.realtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** {@code POST /broadcast} (admin only): {@code data} goes to every socket as it is. */
public record BroadcastRequest(@NotBlank @Size(max = 128) String event, JsonNode data) {
}
