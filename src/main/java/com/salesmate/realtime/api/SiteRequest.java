package com.salesmate.realtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.core.Ids;
import com.salesmate.realtime.core.Site;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** {@code PUT /sites/{siteId}}: radius in meters (30..5000, default 100), dwell in seconds (default 120). */
public record SiteRequest(
        @Pattern(regexp = Ids.REGEX) String tenantId,
        @NotBlank @Size(max = 200) String name,
        @NotNull @DecimalMin("-90") @DecimalMax("90") Double latitude,
        @NotNull @DecimalMin("-180") @DecimalMax("180") Double longitude,
        @DecimalMin(value = "" + (int) Site.MIN_RADIUS, message = "must be between 30 and 5000 meters")
        @DecimalMax(value = "" + (int) Site.MAX_RADIUS, message = "must be between 30 and 5000 meters") Double radius,
        @Min(0) @Max(Site.MAX_DWELL_SECONDS) Integer dwell,
        @Pattern(regexp = Ids.REGEX) String customerId,
        JsonNode data) {
}
