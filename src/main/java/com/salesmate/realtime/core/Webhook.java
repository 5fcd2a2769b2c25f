package com.salesmate.realtime.core;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A tenant's webhook endpoint (SPEC 10): where to POST which event types, signed with {@code secret} (Standard
 * Webhooks, {@code whsec_…}). {@code events} is stored comma-separated. Disabled (after a 410) until PUT again.
 */
public record Webhook(String tenantId, String webhookId, String url, String events, String secret, long createdAt,
                      long updatedAt, Long disabledAt, String disabledReason) {
    public static final String VISIT_ARRIVED = "visit.arrived";
    public static final String VISIT_CHECKED_IN = "visit.checked_in";
    public static final String VISIT_CHECKED_OUT = "visit.checked_out";
    public static final String SALESMAN_ONLINE = "salesman.online";
    public static final String SALESMAN_OFFLINE = "salesman.offline";
    public static final String ALERT_CREATED = "alert.created";
    /** Every event type an endpoint may ask for. */
    public static final Set<String> TYPES = Set.of(VISIT_ARRIVED, VISIT_CHECKED_IN, VISIT_CHECKED_OUT, SALESMAN_ONLINE,
            SALESMAN_OFFLINE, ALERT_CREATED);

    public List<String> eventList() {
        return Arrays.stream(events.split(",")).filter(e -> !e.isEmpty()).toList();
    }

    public boolean wants(String type) {
        return disabledAt == null && eventList().contains(type);
    }

    public boolean enabled() {
        return disabledAt == null;
    }
}
