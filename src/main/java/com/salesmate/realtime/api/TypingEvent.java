package com.salesmate.realtime.api;

/** The relayed {@code typing} / {@code stop-typing}: {@code from} the token, never the payload. */
public record TypingEvent(From from, String to, String conversationId) {

    /** Who is typing; {@code salesmanId} is null for a manager. */
    public record From(String userId, String salesmanId, String role) {
    }
}
