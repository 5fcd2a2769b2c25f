package com.salesmate.realtime.api;

/** The {@code salesman:online} / {@code salesman:offline} event; {@code at} in epoch ms. */
public record PresenceEvent(String tenantId, String salesmanId, long at) {
}
