package com.salesmate.realtime.auth;

import com.salesmate.realtime.core.ErrorCode;

/** A token that cannot be accepted: {@code invalid_token} or {@code expired_token}. */
public class TokenException extends Exception {
    private final ErrorCode code;

    public TokenException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
