package com.salesmate.realtime.api;

import com.salesmate.realtime.core.Ids;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** {@code join:salesman} payload; {@code tenantId} optional but must be the token's. */
public record JoinSalesmanRequest(
        @NotNull @Pattern(regexp = Ids.REGEX) String salesmanId,
        @Pattern(regexp = Ids.REGEX) String tenantId) {
}
