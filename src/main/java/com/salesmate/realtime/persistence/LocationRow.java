package com.salesmate.realtime.persistence;

/** One stored GPS point, as in the {@code locations} table. */
public record LocationRow(
        long id,
        String tenantId,
        String salesmanId,
        double latitude,
        double longitude,
        Double accuracy,
        Double speed,
        Double heading,
        Double altitude,
        Double battery,
        long recordedAt,
        long receivedAt) {
}
