package com.salesmate.realtime.api;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** {@code notification:ack} payload. */
public record NotificationAckRequest(@NotNull @Size(min = 1, max = 64) String id) {
}
