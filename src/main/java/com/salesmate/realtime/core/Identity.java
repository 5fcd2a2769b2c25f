package com.salesmate.realtime.core;

import java.time.Instant;
import java.util.Objects;

/** Who a verified token speaks for. {@code salesmanId} is null for managers. */
public record Identity(String userId, String tenantId, Role role, String salesmanId, Instant expiresAt) {

    public boolean isManager() {
        return role == Role.MANAGER;
    }

    public boolean isSalesman() {
        return role == Role.SALESMAN;
    }

    /** Same user, tenant, role and salesman: what a re-authentication must keep. */
    public boolean sameSubjectAs(Identity other) {
        return other != null
                && userId.equals(other.userId)
                && tenantId.equals(other.tenantId)
                && role == other.role
                && Objects.equals(salesmanId, other.salesmanId);
    }
}
