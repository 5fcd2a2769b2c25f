package com.salesmate.realtime.hub;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesmate.realtime.api.LocationPoint;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.metrics.SocketMetrics;
import com.salesmate.realtime.metrics.TenantCounters;
import io.dropwizard.jersey.validation.Validators;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PointReader} answers every payload exactly as {@link Payloads} (Jackson with the strict rules, then Bean
 * Validation of {@link LocationPoint}'s annotations) does: the same point, or the same error code, field and message,
 * and the same unknown fields counted. Payloads are generated from a seed: each field absent, null, valid, at or past
 * its bounds, of another JSON type, in any order, with unknown fields among them.
 */
class PointReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVENT = Events.LOCATION_UPDATE;
    private static final String[] NUMBER_FIELDS = {"latitude", "longitude", "accuracy", "speed", "heading", "altitude", "battery"};
    private static final String[] NUMBERS = {
        "0", "-0.0", "0.0", "1", "-1", "12.971599", "77.5946", "90", "90.00000000000001", "-90", "-90.0000001", "180",
        "180.5", "-180", "-181", "360", "360.0001", "100", "100.1", "1000000", "1000001", "-1000000", "-1000000.5",
        "1e400", "-1e400", "5e-324", "123456789012345678901234567890", "1.7976931348623157E308", "-4.9E-324"};
    private static final String[] TIMESTAMPS = {
        "1733000000000", "1", "0", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "1.5", "1733000000000.0", "1e3", "17330000000000000000000"};
    private static final String[] OTHER_TYPES = {"\"12.5\"", "true", "false", "[]", "[1]", "{}", "{\"a\":1}", "\"\""};
    private static final String[] IDS = {"\"s-1\"", "\"S.2_x\"", "\"\"", "\"has space\"", "\"" + "a".repeat(64) + "\"",
        "\"" + "a".repeat(65) + "\"", "\"ünï\"", "42", "true"};

    private final MetricRegistry oldMetrics = new MetricRegistry();
    private final MetricRegistry newMetrics = new MetricRegistry();
    private final Payloads payloads = new Payloads(Validators.newValidator(), metrics(oldMetrics));
    private final PointReader reader = new PointReader(metrics(newMetrics));

    private static SocketMetrics metrics(MetricRegistry registry) {
        return new SocketMetrics(registry, new TenantCounters(), Events.INBOUND);
    }

    @Test
    void generatedPayloadsGetTheSameAnswerAsTheBeanValidationPath() throws Exception {
        Random random = new Random(20261202);
        int points = 0;
        int errors = 0;
        for (int i = 0; i < 20_000; i++) {
            String text = payload(random);
            JsonNode node = JSON.readTree(text);
            Object expected = outcome(() -> payloads.read(EVENT, node, LocationPoint.class));
            Object actual = outcome(() -> reader.read(EVENT, node));
            assertThat(actual).as(text).isEqualTo(expected);
            assertThat(unknown(newMetrics)).as("unknown fields counted after %s", text).isEqualTo(unknown(oldMetrics));
            if (expected instanceof LocationPoint) {
                points++;
            } else {
                errors++;
            }
        }
        assertThat(unknown(newMetrics)).isEqualTo(unknown(oldMetrics)).isPositive();
        // both kinds of answer were exercised, many times
        assertThat(points).isGreaterThan(1_000);
        assertThat(errors).isGreaterThan(1_000);
    }

    @Test
    void notAnObjectIsRefusedAlike() throws Exception {
        for (String text : List.of("[]", "1", "\"x\"", "null", "true")) {
            JsonNode node = JSON.readTree(text);
            assertThat(outcome(() -> reader.read(EVENT, node)))
                    .isEqualTo(outcome(() -> payloads.read(EVENT, node, LocationPoint.class)))
                    .isInstanceOf(String.class);
        }
        assertThat(outcome(() -> reader.read(EVENT, null))).isEqualTo(outcome(() -> payloads.read(EVENT, null, LocationPoint.class)));
    }

    private static long unknown(MetricRegistry metrics) {
        return metrics.getMeters().entrySet().stream()
                .filter(e -> e.getKey().startsWith("socketio.unknown-fields."))
                .mapToLong(e -> e.getValue().getCount()).sum();
    }

    /** The point read, or the error as "code field message". */
    private static Object outcome(java.util.concurrent.Callable<LocationPoint> read) throws Exception {
        try {
            return read.call();
        } catch (ApiException e) {
            return e.code() + " " + e.field() + " " + e.getMessage();
        }
    }

    private static String payload(Random random) {
        List<String> fields = new ArrayList<>();
        for (String name : NUMBER_FIELDS) {
            // latitude and longitude are present most of the time, so that valid points are common
            boolean required = name.equals("latitude") || name.equals("longitude");
            String value = pick(random, required ? 0.85 : 0.5, () -> switch (random.nextInt(10)) {
                case 0 -> "null";
                case 1 -> OTHER_TYPES[random.nextInt(OTHER_TYPES.length)];
                case 2, 3 -> NUMBERS[random.nextInt(NUMBERS.length)];
                default -> validNumber(name, random);
            });
            if (value != null) {
                fields.add("\"" + name + "\":" + value);
            }
        }
        String timestamp = pick(random, 0.9, () -> switch (random.nextInt(8)) {
            case 0 -> "null";
            case 1 -> OTHER_TYPES[random.nextInt(OTHER_TYPES.length)];
            case 2 -> TIMESTAMPS[random.nextInt(TIMESTAMPS.length)];
            default -> Long.toString(1_733_000_000_000L + random.nextInt(1_000_000));
        });
        if (timestamp != null) {
            fields.add("\"timestamp\":" + timestamp);
        }
        String id = pick(random, 0.3, () -> random.nextInt(5) == 0 ? "null" : IDS[random.nextInt(IDS.length)]);
        if (id != null) {
            fields.add("\"salesmanId\":" + id);
        }
        if (random.nextInt(4) == 0) {
            fields.add("\"extra" + random.nextInt(3) + "\":" + OTHER_TYPES[random.nextInt(OTHER_TYPES.length)]);
        }
        Collections.shuffle(fields, random);
        return "{" + String.join(",", fields) + "}";
    }

    private static String validNumber(String name, Random random) {
        double v = switch (name) {
            case "latitude" -> random.nextDouble() * 180 - 90;
            case "longitude" -> random.nextDouble() * 360 - 180;
            case "heading" -> random.nextDouble() * 360;
            case "battery" -> random.nextInt(101);
            case "altitude" -> random.nextDouble() * 2000 - 100;
            default -> random.nextDouble() * 50;
        };
        return random.nextBoolean() ? Double.toString(v) : Long.toString(Math.round(v));
    }

    private static String pick(Random random, double present, java.util.function.Supplier<String> value) {
        return random.nextDouble() < present ? value.get() : null;
    }
}
