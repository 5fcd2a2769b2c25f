package com.salesmate.realtime.api;

import java.util.List;

/** The {@code authenticated} event, also the {@code authenticate} ack; {@code salesmanId} is null for managers. */
public record Authenticated(boolean success, String sessionId, String tenantId, String salesmanId, String userId,
                            String role, List<String> rooms) {

    public Authenticated(String sessionId, String tenantId, String salesmanId, String userId, String role,
                         List<String> rooms) {
        this(true, sessionId, tenantId, salesmanId, userId, role, rooms);
    }
}
