package com.salesmate.realtime.hub;

import java.time.Duration;

/** The hub's timing and limits, from configuration. */
public record HubSettings(Duration authTimeout, Duration presenceGrace, Duration typingTimeout, int rateLimitPerSecond,
                          Duration notificationTtl) {
}
