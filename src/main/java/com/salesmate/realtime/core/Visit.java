package com.salesmate.realtime.core;

/**
 * One stay of a salesman at a site, as stored ({@code visits}): the site's circle as it was at arrival, the arrival
 * point, and the state detection goes on with ({@code outsideSince}: the first accurate point beyond radius × 1.5;
 * {@code lastAt}: the last point applied). Times are the device's epoch ms.
 */
public record Visit(String visitId, String tenantId, String salesmanId, String siteId, double siteLatitude,
                    double siteLongitude, double radius, int dwellSeconds, long arrivedAt, double latitude,
                    double longitude, double accuracy, Long checkedInAt, Long leftAt, Long checkedOutAt,
                    Long outsideSince, long lastAt) {

    public boolean isOpen() {
        return checkedOutAt == null;
    }

    /** From the arrival to the first point of the departure; null while open. */
    public Long duration() {
        return leftAt == null ? null : leftAt - arrivedAt;
    }

    public Visit seen(long at, Long outside) {
        return new Visit(visitId, tenantId, salesmanId, siteId, siteLatitude, siteLongitude, radius, dwellSeconds,
                arrivedAt, latitude, longitude, accuracy, checkedInAt, leftAt, checkedOutAt, outside, at);
    }

    public Visit checkedIn(long at) {
        return new Visit(visitId, tenantId, salesmanId, siteId, siteLatitude, siteLongitude, radius, dwellSeconds,
                arrivedAt, latitude, longitude, accuracy, at, leftAt, checkedOutAt, null, at);
    }

    public Visit checkedOut(long at) {
        return new Visit(visitId, tenantId, salesmanId, siteId, siteLatitude, siteLongitude, radius, dwellSeconds,
                arrivedAt, latitude, longitude, accuracy, checkedInAt, outsideSince, at, outsideSince, at);
    }
}
