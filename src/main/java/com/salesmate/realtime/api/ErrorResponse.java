package com.salesmate.realtime.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The one error shape of the REST API: {@code { success: false, error: { code, message, field? } }}. */
public record ErrorResponse(boolean success, Error error) {

    /** The error itself; {@code field} names the offending input when there is one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(String code, String message, String field) {
    }

    public static ErrorResponse of(String code, String message, String field) {
        return new ErrorResponse(false, new Error(code, message, field));
    }
}
