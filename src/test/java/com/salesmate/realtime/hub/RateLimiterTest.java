package com.salesmate.realtime.hub;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-connection token bucket: burst equals the rate, refilled continuously with time (explicit nanos). */
class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 123_456_789L;

    private static int acquired(RateLimiter limiter, long now, int attempts) {
        int ok = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.tryAcquire(now)) {
                ok++;
            }
        }
        return ok;
    }

    @Test
    void aFullBucketAllowsABurstEqualToTheRate() {
        RateLimiter limiter = new RateLimiter(10, T0);
        assertThat(acquired(limiter, T0, 25)).isEqualTo(10);
    }

    @Test
    void anEmptyBucketRefusesUntilATokenHasRefilled() {
        RateLimiter limiter = new RateLimiter(10, T0);
        acquired(limiter, T0, 10);
        assertThat(limiter.tryAcquire(T0 + SECOND / 20)).as("half a token after 50 ms").isFalse();
        assertThat(limiter.tryAcquire(T0 + SECOND / 10)).as("one token after 100 ms").isTrue();
        assertThat(limiter.tryAcquire(T0 + SECOND / 10)).isFalse();
    }

    @Test
    void refillIsProportionalToElapsedTime() {
        RateLimiter limiter = new RateLimiter(10, T0);
        acquired(limiter, T0, 10);
        assertThat(acquired(limiter, T0 + SECOND / 2, 20)).isEqualTo(5);
    }

    @Test
    void refillNeverExceedsTheBurst() {
        RateLimiter limiter = new RateLimiter(10, T0);
        acquired(limiter, T0, 10);
        assertThat(acquired(limiter, T0 + 60 * SECOND, 100)).isEqualTo(10);
    }

    @Test
    void aSteadyRateAtTheLimitIsNeverRefused() {
        RateLimiter limiter = new RateLimiter(10, T0);
        acquired(limiter, T0, 10);
        for (int i = 1; i <= 100; i++) {
            assertThat(limiter.tryAcquire(T0 + i * SECOND / 10)).as("event %d", i).isTrue();
        }
    }

    @Test
    void otherRatesHaveTheirOwnBurst() {
        assertThat(acquired(new RateLimiter(3, T0), T0, 10)).isEqualTo(3);
        assertThat(acquired(new RateLimiter(50, T0), T0, 100)).isEqualTo(50);
    }
}
