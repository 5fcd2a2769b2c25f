package com.salesmate.realtime.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code visit:arrived}, {@code visit:checked_in}, {@code visit:checked_out} (SPEC 10) to the tenant's managers and the
 * salesman's room: {@code at} (epoch ms, device time) and the position are the deciding point's; {@code duration} (ms,
 * arrival to departure) and {@code checkedIn} only on {@code visit:checked_out}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VisitEvent(String tenantId, String salesmanId, String siteId, String visitId, long at, double latitude,
                         double longitude, double accuracy, Long duration, Boolean checkedIn) {
}
