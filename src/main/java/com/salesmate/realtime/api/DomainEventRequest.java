package com.salesmate.realtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.core.Ids;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** {@code POST /emit/event}: one of the domain events, to the tenant (default), its managers or one salesman. */
public record DomainEventRequest(
        @Pattern(regexp = Ids.REGEX) String tenantId,
        @NotNull @Pattern(regexp = "visit:created|visit:updated|order:created|target:progress",
                message = "must be visit:created, visit:updated, order:created or target:progress") String event,
        @NotNull JsonNode data,
        @Pattern(regexp = "tenant|managers|salesman", message = "must be tenant, managers or salesman") String to,
        @Pattern(regexp = Ids.REGEX) String salesmanId) {
}
