package com.salesmate.realtime.auth;

import com.salesmate.realtime.core.Identity;
import com.salesmate.realtime.core.Role;
import com.salesmate.realtime.support.MovableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Revocations end, and ended ones make room: the maps stay bounded, and one in force is never dropped. */
class RevocationsTest {
    private final MovableClock clock = new MovableClock(Instant.parse("2030-01-01T00:00:00Z"));

    private Identity salesman(String id) {
        return new Identity("u", "t", Role.SALESMAN, id, clock.instant().plusSeconds(3600));
    }

    @Test
    void endedRevocationsAreSweptWhenFullAndOnesInForceAreKept() {
        Revocations revocations = new Revocations(clock);
        revocations.revokeSalesman("keep", Duration.ofDays(1));
        for (int i = 0; i < Revocations.MAX_EACH; i++) {
            revocations.restore(Revocations.SALESMAN, "s" + i, clock.instant().plusSeconds(60));
        }
        clock.advance(Duration.ofSeconds(120)); // every "s" one has ended
        assertThat(revocations.kept()).isEqualTo(Revocations.MAX_EACH + 1);
        revocations.revokeSalesman("new", Duration.ofHours(1));
        assertThat(revocations.kept()).isEqualTo(2); // the ended ones made room
        assertThat(revocations.revokedUntil(salesman("keep"))).isPresent();
        assertThat(revocations.revokedUntil(salesman("new"))).isPresent();
        assertThat(revocations.revokedUntil(salesman("s1"))).isEmpty();
        // an already-ended revocation from elsewhere is not kept at all
        revocations.restore(Revocations.SALESMAN, "old", clock.instant().minusSeconds(1));
        assertThat(revocations.revokedUntil(salesman("old"))).isEmpty();
    }
}
