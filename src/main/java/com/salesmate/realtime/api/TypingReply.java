package com.salesmate.realtime.api;

/** The ack of {@code typing} / {@code stop-typing}: how many sockets the relay reached. */
public record TypingReply(boolean success, int delivered) {

    public TypingReply(int delivered) {
        this(true, delivered);
    }
}
