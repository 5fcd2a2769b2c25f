package com.salesmate.realtime.cluster;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Stream ids as positions: the order of the longs is the order of the ids, and what a client sends back is checked. */
class StreamIdsTest {

    @Test
    void positionsKeepTheIdsOrderAndComeBackAsTheSameIds() {
        String[] ordered = {"0-0", "0-1", "1733300000000-0", "1733300000000-1", "1733300000000-999999",
                "1733300000001-0", "8796093022207-3"};
        for (int i = 0; i + 1 < ordered.length; i++) {
            assertThat(StreamIds.toLong(ordered[i])).as("%s < %s", ordered[i], ordered[i + 1])
                    .isLessThan(StreamIds.toLong(ordered[i + 1]));
        }
        for (String id : ordered) {
            assertThat(StreamIds.fromLong(StreamIds.toLong(id))).isEqualTo(id);
        }
        assertThat(StreamIds.millisOf("1733300000000-7")).isEqualTo(1733300000000L);
    }

    @Test
    void onlyIdsOfTheStreamAreValidOffsets() {
        assertThat(StreamIds.valid("1733300000000-0")).isTrue();
        assertThat(StreamIds.valid("1733300000000-1048575")).isTrue();
        assertThat(StreamIds.valid("8796093022207-0")).as("the last millisecond a long holds").isTrue();
        assertThat(StreamIds.valid("8796093022208-0")).isFalse();
        for (String bad : new String[] {null, "", "-", "12", "a-1", "1-b", "1-2-3", "01ab-5", " 1-2", "1-2 ",
                "1733300000000-1048576", "99999999999999999999-0", "1733300000000-99999999"}) {
            assertThat(StreamIds.valid(bad)).as("%s", bad).isFalse();
        }
    }

    @Test
    void aSequenceNumberThatIsNotANumberCountsAsNone() {
        assertThat(StreamIds.seqOf("42")).isEqualTo(42);
        assertThat(StreamIds.seqOf(null)).isZero();
        assertThat(StreamIds.seqOf("x")).isZero();
    }
}
