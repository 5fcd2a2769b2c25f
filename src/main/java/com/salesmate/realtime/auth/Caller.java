package com.salesmate.realtime.auth;

import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.ErrorCode;

import java.security.Principal;

/** Who is calling the REST API: the admin key, a tenant API key, or a user's JWT. */
public record Caller(Kind kind, String tenantId, String name) implements Principal {

    public enum Kind { ADMIN, TENANT_KEY, MANAGER, SALESMAN }

    public static Caller admin() {
        return new Caller(Kind.ADMIN, null, "admin");
    }

    @Override
    public String getName() {
        return name;
    }

    public boolean isAdmin() {
        return kind == Kind.ADMIN;
    }

    /** Refuses salesman tokens: the REST API is for managers and services. */
    public Caller requireOperator() {
        if (kind == Kind.SALESMAN) {
            throw ApiException.forbidden("salesman tokens may not use this API");
        }
        return this;
    }

    /** Refuses everyone but the admin key. */
    public void requireAdmin() {
        requireOperator();
        if (!isAdmin()) {
            throw ApiException.forbidden("only the admin key may do this");
        }
    }

    /** Refuses a tenant other than the caller's own (the admin key may read any). */
    public void requireTenant(String tenantId) {
        requireOperator();
        if (!isAdmin() && !this.tenantId.equals(tenantId)) {
            throw ApiException.forbidden("no access to that tenant's data"); // never name a tenant it is not
        }
    }

    /**
     * The tenant a request body addresses: a tenant credential's own when left out (and it must match when given);
     * required with the admin key.
     */
    public String resolveTenant(String requested) {
        requireOperator();
        if (requested == null) {
            if (isAdmin()) {
                throw new ApiException(ErrorCode.INVALID_PAYLOAD, "tenantId is required with the admin key", "tenantId");
            }
            return tenantId;
        }
        requireTenant(requested);
        return requested;
    }
}
