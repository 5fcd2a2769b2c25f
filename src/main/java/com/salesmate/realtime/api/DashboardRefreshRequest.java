package com.salesmate.realtime.api;

import com.salesmate.realtime.core.Ids;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** {@code POST /emit/dashboard-refresh}. */
public record DashboardRefreshRequest(
        @Pattern(regexp = Ids.REGEX) String tenantId,
        @Size(max = 256) String scope) {
}
