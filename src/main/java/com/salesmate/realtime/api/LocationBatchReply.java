package com.salesmate.realtime.api;

import java.util.List;

/** The ack of {@code location:batch}: points stored, already stored, and refused (by index, in index order). */
public record LocationBatchReply(boolean success, int accepted, int duplicates, List<Rejection> rejected) {

    /** A refused point: its index in the batch and the error code. */
    public record Rejection(int index, String code) {
    }

    public LocationBatchReply(int accepted, int duplicates, List<Rejection> rejected) {
        this(true, accepted, duplicates, rejected);
    }
}
