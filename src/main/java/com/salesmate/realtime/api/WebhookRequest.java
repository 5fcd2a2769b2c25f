package com.salesmate.realtime.api;

import com.salesmate.realtime.core.Ids;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;

/**
 * {@code PUT /webhooks/{webhookId}}: an http(s) {@code url}, the event types it wants, and its signing secret
 * ({@code whsec_} + base64 of 24 to 64 bytes; generated when left out on creation, kept when left out on a replace).
 */
public record WebhookRequest(
        @Pattern(regexp = Ids.REGEX) String tenantId,
        @NotBlank @Size(max = 2048) String url,
        @NotNull @Size(min = 1, max = 6) List<@NotNull String> events,
        @Pattern(regexp = "whsec_[A-Za-z0-9+/]{32,88}={0,2}", message = "must be whsec_ and the base64 of 24 to 64 bytes")
        String secret) {
}
