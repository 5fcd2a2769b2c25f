package com.salesmate.realtime.core;

/** A refusal with a contract error code; thrown by REST and socket handlers alike, mapped once per transport. */
public class ApiException extends RuntimeException {
    private final ErrorCode code;
    private final String field;
    /** Seconds a caller should wait before retrying (HTTP {@code Retry-After}); null when not said. */
    private final Integer retryAfterSeconds;

    public ApiException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ApiException(ErrorCode code, String message, String field) {
        this(code, message, field, null);
    }

    private ApiException(ErrorCode code, String message, String field, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** {@code unavailable}, nothing done: retry after {@code seconds}. */
    public static ApiException unavailable(String message, int seconds) {
        return new ApiException(ErrorCode.UNAVAILABLE, message, null, seconds);
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public ErrorCode code() {
        return code;
    }

    public String field() {
        return field;
    }

    public static ApiException invalid(String field, String message) {
        return new ApiException(ErrorCode.INVALID_PAYLOAD, message, field);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(ErrorCode.FORBIDDEN, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(ErrorCode.NOT_FOUND, message);
    }
}
