package com.salesmate.realtime.api;

import com.salesmate.realtime.core.Ids;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** {@code typing} / {@code stop-typing} payload: {@code to} is {@code managers} or {@code salesman:{id}}. */
public record TypingRequest(
        @NotNull @Pattern(regexp = "managers|salesman:" + Ids.REGEX, message = "must be managers or salesman:{id}") String to,
        @Pattern(regexp = Ids.REGEX) String conversationId) {
}
