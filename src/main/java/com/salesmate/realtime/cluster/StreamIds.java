package com.salesmate.realtime.cluster;

import java.util.regex.Pattern;

/**
 * Redis stream entry ids ({@code <ms>-<seq>}) as the longs the hub compares positions with: the milliseconds shifted
 * over 20 bits of sequence (a million entries in one millisecond would be needed to overflow it; the milliseconds fit
 * in the 43 bits left until the year 2248), so the order of the longs is the order of the ids.
 */
final class StreamIds {
    private static final int SEQ_BITS = 20;
    private static final long SEQ_MASK = (1L << SEQ_BITS) - 1;
    private static final Pattern ID = Pattern.compile("[0-9]{1,13}-[0-9]{1,7}");
    private static final long MAX_MILLIS = (1L << (63 - SEQ_BITS)) - 1;

    private StreamIds() {
    }

    /** Whether {@code offset} is an id this scheme represents (what a client sends back is checked with it). */
    static boolean valid(String offset) {
        return offset != null && ID.matcher(offset).matches()
                && Long.parseLong(offset.substring(0, offset.indexOf('-'))) <= MAX_MILLIS
                && Long.parseLong(offset.substring(offset.indexOf('-') + 1)) <= SEQ_MASK;
    }

    static long toLong(String id) {
        int dash = id.indexOf('-');
        long ms = Long.parseLong(id.substring(0, dash));
        long seq = Math.min(Long.parseLong(id.substring(dash + 1)), SEQ_MASK);
        return (ms << SEQ_BITS) | seq;
    }

    static String fromLong(long position) {
        return (position >>> SEQ_BITS) + "-" + (position & SEQ_MASK);
    }

    static long millisOf(String id) {
        int dash = id.indexOf('-');
        return dash < 0 ? 0 : Long.parseLong(id.substring(0, dash));
    }

    /** A node's sequence number as written in an entry, or 0 (none, or not a number). */
    static long seqOf(String text) {
        if (text == null) {
            return 0;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
