package com.salesmate.realtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.core.Ids;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** {@code POST /emit/notification}. */
public record NotificationEmitRequest(
        @NotNull @Pattern(regexp = Ids.REGEX) String salesmanId,
        @Pattern(regexp = Ids.REGEX) String tenantId,
        @Size(max = 512) String title,
        @NotBlank @Size(max = 8192) String message,
        @Size(max = 64) String type, // the notifications.type column is VARCHAR(64)
        JsonNode data) {
}
