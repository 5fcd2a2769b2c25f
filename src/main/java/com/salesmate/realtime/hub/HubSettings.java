package com.salesmate.realtime.hub;

import java.time.Duration;

/**
 * The hub's timing and limits, from configuration. Three token buckets per connection: location and typing events
 * ({@code rateLimitPerSecond}, burst = rate); {@code authenticate} and {@code notification:ack} (an app acks a burst of
 * redelivered notifications as they arrive); {@code join:*}, with at most {@code maxRoomsPerSocket} rooms.
 */
public record HubSettings(Duration authTimeout, Duration presenceGrace, Duration typingTimeout, int rateLimitPerSecond,
                          Duration notificationTtl, Limits limits, Duration recoveryWindow, int recoveryMaxEvents) {

    /** The per-connection limits outside the location bucket. */
    public record Limits(int controlPerSecond, int controlBurst, int joinsPerSecond, int joinBurst,
                         int maxRoomsPerSocket) {
        public static final Limits DEFAULTS = new Limits(100, 1000, 50, 200, 500);
    }

    public HubSettings(Duration authTimeout, Duration presenceGrace, Duration typingTimeout, int rateLimitPerSecond,
                       Duration notificationTtl) {
        this(authTimeout, presenceGrace, typingTimeout, rateLimitPerSecond, notificationTtl, Limits.DEFAULTS,
                Duration.ZERO, 0);
    }
}
