package com.salesmate.realtime.api;

/** The {@code location:updated} event to a tenant's managers; {@code timestamp} is when the point was recorded. */
public record LocationUpdated(String tenantId, String salesmanId, double latitude, double longitude, Double accuracy,
                              Double speed, Double heading, long timestamp, long receivedAt) {
}
