package com.salesmate.realtime.api;

import com.salesmate.realtime.core.Ids;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

/** One GPS point of {@code location:update} or {@code location:batch}; {@code timestamp} in epoch ms. */
public record LocationPoint(
        @NotNull @DecimalMin("-90") @DecimalMax("90") Double latitude,
        @NotNull @DecimalMin("-180") @DecimalMax("180") Double longitude,
        @PositiveOrZero Double accuracy,
        @PositiveOrZero Double speed,
        @DecimalMin("0") @DecimalMax("360") Double heading,
        @DecimalMin("-1000000") @DecimalMax("1000000") Double altitude,
        @DecimalMin("0") @DecimalMax("100") Double battery,
        @NotNull @Positive Long timestamp,
        @Pattern(regexp = Ids.REGEX) String salesmanId) {
}
