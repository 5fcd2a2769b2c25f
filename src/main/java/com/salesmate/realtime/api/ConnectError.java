package com.salesmate.realtime.api;

/** The data of a CONNECT_ERROR refusing a handshake token: {@code {message: code, data: {code, message}}}. */
public record ConnectError(String message, Data data) {

    /** The refusal's code and its explanation. */
    public record Data(String code, String message) {
    }

    public static ConnectError of(String code, String message) {
        return new ConnectError(code, new Data(code, message));
    }
}
