package com.salesmate.realtime.persistence;

/** A stored notification; {@code data} is JSON text, {@code ackedAt} null until acknowledged. */
public record NotificationRow(
        String id,
        String tenantId,
        String salesmanId,
        String title,
        String message,
        String type,
        String data,
        long createdAt,
        long expiresAt,
        Long ackedAt) {
}
