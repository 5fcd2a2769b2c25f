package com.salesmate.realtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.util.List;

/** {@code location:batch} payload: points are validated one by one so that a bad one is reported by index. */
public record LocationBatchRequest(@NotNull @Size(min = 1, max = 500) List<JsonNode> points) {
}
