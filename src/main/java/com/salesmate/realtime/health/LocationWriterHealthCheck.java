package com.salesmate.realtime.health;

import com.codahale.metrics.health.HealthCheck;
import com.salesmate.realtime.persistence.LocationWriter;

/** Is the location writer keeping up: queue under its high-water mark and the last commit successful? */
public class LocationWriterHealthCheck extends HealthCheck {
    private final LocationWriter writer;
    private final int highWaterMark;

    public LocationWriterHealthCheck(LocationWriter writer, int highWaterMark) {
        this.writer = writer;
        this.highWaterMark = highWaterMark;
    }

    @Override
    protected Result check() {
        int depth = writer.queueDepth();
        if (!writer.isCommitting()) {
            return Result.unhealthy("last commit failed (%s); %d rows queued", writer.lastError(), depth);
        }
        if (depth > highWaterMark) {
            return Result.unhealthy("queue depth %d over high-water mark %d", depth, highWaterMark);
        }
        return Result.healthy("queue depth %d of %d", depth, writer.queueCapacity());
    }
}
