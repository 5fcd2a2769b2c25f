package com.salesmate.realtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.api.LocationPoint;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Ids;
import com.salesmate.realtime.metrics.SocketMetrics;

import java.util.Iterator;
import java.util.Map;

/**
 * Reads a GPS point straight from the packet's JSON tree into a {@link LocationPoint}, with its range checks, instead
 * of a Jackson pass over the tree and a Bean Validation pass over the record for every point (the hot path of
 * {@code location:update} and of each point of {@code location:batch}). It answers exactly what {@link Payloads} does
 * for the record's annotations — the same type errors (the first wrong field in document order), the same
 * constraint messages (the first field in name order), unknown fields ignored and counted (only when every known
 * field had its type) — which
 * {@code PointReaderTest} checks against {@code Payloads} on thousands of generated payloads.
 */
final class PointReader {
    private static final String NOT_NULL = "must not be null";

    private final SocketMetrics metrics;

    PointReader(SocketMetrics metrics) {
        this.metrics = metrics;
    }

    LocationPoint read(String event, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw ApiException.invalid(null, "payload must be a JSON object");
        }
        Double latitude = null;
        Double longitude = null;
        Double accuracy = null;
        Double speed = null;
        Double heading = null;
        Double altitude = null;
        Double battery = null;
        Long timestamp = null;
        String salesmanId = null;
        int unknown = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            switch (name) {
                case "latitude" -> latitude = number(name, value);
                case "longitude" -> longitude = number(name, value);
                case "accuracy" -> accuracy = number(name, value);
                case "speed" -> speed = number(name, value);
                case "heading" -> heading = number(name, value);
                case "altitude" -> altitude = number(name, value);
                case "battery" -> battery = number(name, value);
                case "timestamp" -> timestamp = integer(name, value);
                case "salesmanId" -> salesmanId = text(name, value);
                default -> unknown++;
            }
        }
        for (int i = 0; i < unknown; i++) { // counted once the point is read, as Jackson does for a record
            metrics.unknownField(event);
        }
        // the first violation in field-name order, as Payloads reports it
        check("accuracy", atLeastZero(accuracy));
        check("altitude", between(altitude, -1_000_000, 1_000_000, "-1000000", "1000000"));
        check("battery", between(battery, 0, 100, "0", "100"));
        check("heading", between(heading, 0, 360, "0", "360"));
        check("latitude", latitude == null ? NOT_NULL : between(latitude, -90, 90, "-90", "90"));
        check("longitude", longitude == null ? NOT_NULL : between(longitude, -180, 180, "-180", "180"));
        check("salesmanId", salesmanId == null || Ids.isValid(salesmanId) ? null
                : "must match \"" + Ids.REGEX + "\"");
        check("speed", atLeastZero(speed));
        check("timestamp", timestamp == null ? NOT_NULL : timestamp > 0 ? null : "must be greater than 0");
        return new LocationPoint(latitude, longitude, accuracy, speed, heading, altitude, battery, timestamp, salesmanId);
    }

    private static Double number(String name, JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw wrongType(name);
        }
        return value.doubleValue();
    }

    private static Long integer(String name, JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber()) {
            throw wrongType(name);
        }
        if (!value.canConvertToLong()) {
            throw ApiException.invalid(null, "payload cannot be read");
        }
        return value.longValue();
    }

    private static String text(String name, JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw wrongType(name);
        }
        return value.textValue();
    }

    private static void check(String name, String problem) {
        if (problem != null) {
            throw ApiException.invalid(name, name + " " + problem);
        }
    }

    private static ApiException wrongType(String name) {
        return ApiException.invalid(name, name + " has the wrong type");
    }

    /** {@code @PositiveOrZero}: as Hibernate Validator reads a Double, -0.0 is below zero. */
    private static String atLeastZero(Double v) {
        return v == null || Double.compare(v, 0d) >= 0 ? null : "must be greater than or equal to 0";
    }

    /** {@code @DecimalMin(min) @DecimalMax(max)}: null passes; NaN is neither (Bean Validation refuses it). */
    private static String between(Double v, double min, double max, String minText, String maxText) {
        if (v == null) {
            return null;
        }
        if (!(v >= min)) {
            return "must be greater than or equal to " + minText;
        }
        return v <= max ? null : "must be less than or equal to " + maxText;
    }
}
