package com.salesmate.realtime.core;

/** Error codes of the contract, with the HTTP status each maps to on the REST side. */
public enum ErrorCode {
    UNAUTHENTICATED("unauthenticated", 401),
    UNAUTHORIZED("unauthorized", 401),
    FORBIDDEN("forbidden", 403),
    INVALID_PAYLOAD("invalid_payload", 400),
    NOT_FOUND("not_found", 404),
    PAYLOAD_TOO_LARGE("payload_too_large", 413),
    RATE_LIMITED("rate_limited", 429),
    UNAVAILABLE("unavailable", 503),
    INVALID_TOKEN("invalid_token", 401),
    EXPIRED_TOKEN("expired_token", 401),
    CLAIMS_MISMATCH("claims_mismatch", 401),
    INTERNAL("internal", 500);

    private final String code;
    private final int status;

    ErrorCode(String code, int status) {
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    public static ErrorCode forStatus(int status) {
        return switch (status) {
            case 400, 415 -> INVALID_PAYLOAD;
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404, 405 -> NOT_FOUND;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 429 -> RATE_LIMITED;
            case 503 -> UNAVAILABLE;
            default -> status >= 500 ? INTERNAL : INVALID_PAYLOAD;
        };
    }
}
