package com.salesmate.realtime.core;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Room names of SPEC 2 and the rooms a socket joins on authentication. */
class RoomsTest {
    private static final Instant EXP = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void roomNamesFollowTheContract() {
        assertThat(Rooms.tenant("t1")).isEqualTo("tenant:t1");
        assertThat(Rooms.managers("t1")).isEqualTo("tenant:t1:managers");
        assertThat(Rooms.salesman("t1", "s1")).isEqualTo("tenant:t1:salesman:s1");
    }

    @Test
    void aSalesmanIsPutInItsTenantAndItsOwnRoomOnly() {
        Identity salesman = new Identity("u1", "t1", Role.SALESMAN, "s1", EXP);
        assertThat(Rooms.automatic(salesman)).containsExactlyInAnyOrder("tenant:t1", "tenant:t1:salesman:s1");
    }

    @Test
    void aManagerIsPutInItsTenantAndTheManagersRoom() {
        Identity manager = new Identity("m1", "t1", Role.MANAGER, null, EXP);
        assertThat(Rooms.automatic(manager)).containsExactlyInAnyOrder("tenant:t1", "tenant:t1:managers");
    }

    @Test
    void anEmitToATenantsRoomsNamesAtLeastOneAndOnlyItsOwn() {
        assertThat(Rooms.requireOwn("t1", java.util.List.of(Rooms.managers("t1"), Rooms.salesman("t1", "s1"))))
                .containsExactly("tenant:t1:managers", "tenant:t1:salesman:s1");
        // an empty list would address every socket of every tenant
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Rooms.requireOwn("t1", java.util.List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Rooms.requireOwn("t1",
                java.util.List.of(Rooms.managers("t1"), Rooms.managers("t2")))).isInstanceOf(IllegalArgumentException.class);
        // "tenant:t1" is not a prefix of tenant t10's rooms
        assertThat(Rooms.ofTenant(Rooms.managers("t10"), "t1")).isFalse();
        assertThat(Rooms.ofTenant(Rooms.tenant("t1"), "t1")).isTrue();
    }
}
