package com.salesmate.realtime.core;

/**
 * A customer site of one tenant (SPEC 10): a circle of {@code radius} meters around a point that a salesman arrives at,
 * checks in to after {@code dwellSeconds} inside, and leaves. {@code data} is the caller's JSON, kept as its text.
 */
public record Site(String tenantId, String siteId, String name, double latitude, double longitude, double radius,
                   int dwellSeconds, String customerId, String data, long updatedAt) {
    public static final double MIN_RADIUS = 30;
    public static final double MAX_RADIUS = 5000;
    public static final double DEFAULT_RADIUS = 100;
    public static final int DEFAULT_DWELL_SECONDS = 120;
    public static final int MAX_DWELL_SECONDS = 86_400;
    /** Points must be outside {@code radius × EXIT_FACTOR} for a visit to end (hysteresis). */
    public static final double EXIT_FACTOR = 1.5;
}
