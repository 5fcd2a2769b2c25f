package com.salesmate.realtime.hub;

import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.support.MovableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Recovery}'s log and dropped sockets, with a clock the test moves: what a recovering socket is replayed (its
 * rooms' events after its offset, in order, the newest {@code location:updated} per salesman, never another tenant's
 * or a user's exception), and when it gets a fresh session instead (past the window, a gap the log no longer covers,
 * another subject's pid).
 */
class RecoveryLogTest {
    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-04T06:00:00Z"));
    private final Identity boss = HubFakes.manager("t1", "boss");
    private final String tenantRoom = Rooms.tenant("t1");

    @Test
    void aSocketIsReplayedItsRoomsEventsAfterItsOffsetInOrderWithTheNewestPointOnly() {
        Recovery recovery = new LocalRecovery(Duration.ofMinutes(2), 1_000, clock);
        String seen = log(recovery, "alert", "a0", List.of(tenantRoom), null, null);
        recovery.save(saved("p1", Set.of(tenantRoom, Rooms.managers("t1")), 0));
        log(recovery, "alert", "a1", List.of(tenantRoom), null, null);
        log(recovery, "location:updated", "1", List.of(Rooms.managers("t1")), null, "t1|s1");
        log(recovery, "alert", "other-tenant", List.of(Rooms.tenant("t2")), null, null);
        log(recovery, "location:updated", "2", List.of(Rooms.managers("t1")), null, "t1|s1");
        log(recovery, "alert", "not-for-boss", List.of(tenantRoom), "boss", null);
        log(recovery, "broadcast", "everyone", List.of(), null, null);

        Recovery.Saved back = recovery.take("p1", seen, boss);
        assertThat(back).isNotNull();
        assertThat(replay(recovery, back)).containsExactly("alert:a1", "location:updated:2", "broadcast:everyone");
        assertThat(recovery.take("p1", seen, boss)).as("a pid recovers once").isNull();
    }

    @Test
    void aPointSupersededForOneAudienceIsStillReplayedToAnotherAndOffsetsBetweenPointsStillWork() {
        // the log lets go of a point once a newer one of the same salesman goes to the same audience: a socket in
        // another audience still gets its own newest, and a socket whose offset lies between two points gets the later
        Recovery recovery = new LocalRecovery(Duration.ofMinutes(2), 1_000, clock);
        String managers = Rooms.managers("t1");
        String ownRoom = Rooms.salesman("t1", "s1");
        String start = log(recovery, "alert", "a0", List.of(tenantRoom), null, null);
        recovery.save(saved("own", Set.of(ownRoom), 0));
        recovery.save(saved("boss", Set.of(managers), 0));
        recovery.save(saved("between", Set.of(managers), 0));
        log(recovery, "location:updated", "own-1", List.of(ownRoom), null, "t1|s1");
        String afterFirst = log(recovery, "location:updated", "1", List.of(managers), null, "t1|s1");
        for (int i = 2; i <= 500; i++) {
            log(recovery, "location:updated", Integer.toString(i), List.of(managers), null, "t1|s1");
        }
        log(recovery, "alert", "a1", List.of(managers), null, null);

        assertThat(replay(recovery, recovery.take("own", start, boss))).containsExactly("location:updated:own-1");
        assertThat(replay(recovery, recovery.take("boss", start, boss)))
                .containsExactly("location:updated:500", "alert:a1");
        assertThat(replay(recovery, recovery.take("between", afterFirst, boss)))
                .containsExactly("location:updated:500", "alert:a1");
    }

    @Test
    void anotherSubjectsPidTakesNothingFromItsOwner() {
        Recovery recovery = new LocalRecovery(Duration.ofMinutes(2), 1_000, clock);
        recovery.save(saved("p1", Set.of(tenantRoom), 0));
        assertThat(recovery.take("p1", null, HubFakes.manager("t1", "deputy"))).isNull();
        assertThat(recovery.take("p1", null, HubFakes.manager("t2", "boss"))).as("same user id, other tenant").isNull();
        assertThat(recovery.take("p1", null, boss)).as("the owner still recovers").isNotNull();
    }

    @Test
    void pastTheWindowOrAGapTheLogNoLongerCoversTheSocketGetsAFreshSession() {
        Recovery recovery = new LocalRecovery(Duration.ofSeconds(10), 3, clock);
        String first = log(recovery, "alert", "a0", List.of(tenantRoom), null, null);
        recovery.save(saved("late", Set.of(tenantRoom), 0));
        recovery.save(saved("gap", Set.of(tenantRoom), 0));
        recovery.save(saved("fine", Set.of(tenantRoom), 0));
        String second = log(recovery, "alert", "a1", List.of(tenantRoom), null, null);
        log(recovery, "alert", "a2", List.of(tenantRoom), null, null);
        log(recovery, "alert", "a3", List.of(tenantRoom), null, null); // the log keeps 3: a0 is trimmed
        assertThat(recovery.take("gap", null, boss)).as("no offset: its gap starts before a0, trimmed").isNull();
        recovery.save(saved("other", Set.of(tenantRoom), 0));
        assertThat(recovery.take("other", "0000-5", boss)).as("an offset of another process").isNull();
        assertThat(recovery.take("fine", second, boss)).as("after a1: a2, a3 still held").isNotNull();
        clock.advance(Duration.ofSeconds(11));
        assertThat(recovery.take("late", first, boss)).as("past the window").isNull();
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private Recovery.Saved saved(String pid, Set<String> rooms, long since) {
        return new Recovery.Saved(pid, "conn-" + pid, boss, rooms, since, clock.millis());
    }

    /** Logs an event whose one argument is {@code "text"}; answers its offset as the client would keep it. */
    private static String log(Recovery recovery, String name, String text, List<String> rooms, String exceptUser,
                              String conflation) {
        String[] offset = new String[1];
        recovery.log(new OutboundEvent(name, "\"" + text + "\""), rooms, Set.of(), exceptUser, conflation, e -> {
            String last = e.event().args().get(e.event().args().size() - 1);
            offset[0] = last.substring(1, last.length() - 1);
            return 0;
        });
        return offset[0];
    }

    /** What the restored socket is sent, as {@code name:text}. */
    private static List<String> replay(Recovery recovery, Recovery.Saved saved) {
        List<String> sent = new ArrayList<>();
        Connection to = HubFakes.connection(new HubFakes.FakeLink(), c -> { });
        recovery.replay(saved, to, event -> {
            String arg = event.args().get(0);
            sent.add(event.name() + ":" + arg.substring(1, arg.length() - 1));
            return 1;
        }, n -> { });
        return sent;
    }
}
