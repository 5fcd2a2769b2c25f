package com.salesmate.realtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.core.Ids;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** {@code POST /emit/alert}; severity defaults to {@code info}. */
public record AlertEmitRequest(
        @Pattern(regexp = Ids.REGEX) String tenantId,
        @NotBlank @Size(max = 8192) String message,
        @Pattern(regexp = "info|warning|critical", message = "must be info, warning or critical") String severity,
        JsonNode data) {
}
