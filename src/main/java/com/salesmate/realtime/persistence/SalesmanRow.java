package com.salesmate.realtime.persistence;

/** A salesman ever seen: tenant, first and last time seen (epoch ms). */
public record SalesmanRow(String salesmanId, String tenantId, long firstSeen, long lastSeen) {
}
