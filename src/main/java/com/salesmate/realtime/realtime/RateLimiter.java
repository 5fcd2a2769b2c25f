package com.salesmate.realtime.realtime;

/** A token bucket whose burst equals its rate; one per connection, shared by location and typing events. */
public final class RateLimiter {
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last;

    public RateLimiter(double perSecond, long nowNanos) {
        this.ratePerNano = perSecond / 1e9;
        this.burst = perSecond;
        this.tokens = perSecond;
        this.last = nowNanos;
    }

    /** Takes one token if there is one. */
    public synchronized boolean tryAcquire(long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - last) * ratePerNano);
        last = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
