package com.salesmate.realtime.api;

import com.salesmate.realtime.core.Ids;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** {@code join:tenant} payload. */
public record JoinTenantRequest(@NotNull @Pattern(regexp = Ids.REGEX) String tenantId) {
}
