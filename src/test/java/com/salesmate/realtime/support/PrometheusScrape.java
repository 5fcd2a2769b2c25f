package com.salesmate.realtime.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scrape of a node's {@code /prometheus} over HTTP, parsed as the text format: each family declared once, with one
 * type, and every sample belonging to exactly one declared family (a scrape Prometheus would reject fails here).
 */
public final class PrometheusScrape {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern SAMPLE = Pattern.compile(
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (-?[0-9.]+(?:[eE][-+]?[0-9]+)?|NaN|[+-]Inf)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private PrometheusScrape() {
    }

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A parsed scrape: each family's type (declared once) and every sample. */
    public record Scrape(Map<String, String> types, List<Sample> samples) {
        /** The value of the sample {@code name} with exactly {@code labels}; null when there is none. */
        public Double value(String name, Map<String, String> labels) {
            return samples.stream().filter(s -> s.name.equals(name) && s.labels.equals(labels)).map(Sample::value)
                    .findFirst().orElse(null);
        }

        public Double value(String name) {
            return value(name, Map.of());
        }

        /** A histogram's {@code _count}; 0 when it is not exported. */
        public double count(String histogram) {
            Double v = value(histogram + "_count");
            return v == null ? 0 : v;
        }

        public List<Sample> named(String name) {
            return samples.stream().filter(s -> s.name.equals(name)).toList();
        }
    }

    /** Scrapes {@code url}, parses every line and checks the exposition's own rules on the way. */
    public static Scrape of(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, String> types = new LinkedHashMap<>();
        List<Sample> samples = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertThat(types.put(parts[2], parts[3])).as("a second TYPE line for %s", parts[2]).isNull();
            } else if (!line.isBlank() && !line.startsWith("#")) {
                Matcher m = SAMPLE.matcher(line);
                assertThat(m.matches()).as("sample line: %s", line).isTrue();
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    int end = 0;
                    while (l.find() && l.start() == end) {
                        labels.put(l.group(1), l.group(2));
                        end = l.end();
                    }
                    assertThat(end).as("labels of %s", line).isEqualTo(m.group(2).length());
                }
                samples.add(new Sample(m.group(1), labels,
                        Double.parseDouble(m.group(3).replace("+Inf", "Infinity").replace("-Inf", "-Infinity"))));
            }
        }
        for (Sample s : samples) { // every sample belongs to exactly one declared family, of a type that has it
            List<String> families = familiesOf(s.name, types);
            assertThat(families).as("the family of %s", s.name).hasSize(1);
        }
        return new Scrape(types, samples);
    }

    /** The declared families a sample name can belong to, given each family's type. */
    private static List<String> familiesOf(String sample, Map<String, String> types) {
        List<String> found = new ArrayList<>();
        types.forEach((family, type) -> {
            String base = family.endsWith("_total") ? family.substring(0, family.length() - "_total".length()) : family;
            List<String> names = switch (type) {
                case "counter" -> List.of(base + "_total", base + "_created");
                case "histogram" -> List.of(family + "_bucket", family + "_sum", family + "_count");
                case "summary" -> List.of(family, family + "_sum", family + "_count");
                default -> List.of(family);
            };
            if (names.contains(sample)) {
                found.add(family);
            }
        });
        return found;
    }

    /** A classic histogram's buckets: the bounds wanted, cumulative, {@code +Inf} equal to {@code _count}. */
    public static void assertWellFormedHistogram(Scrape scrape, String name) {
        assertThat(scrape.types()).containsEntry(name, "histogram");
        List<Sample> buckets = scrape.named(name + "_bucket");
        assertThat(buckets.stream().map(b -> b.labels().get("le")).toList()).containsExactly("5.0E-4", "0.001",
                "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "30.0",
                "+Inf");
        for (int i = 1; i < buckets.size(); i++) {
            assertThat(buckets.get(i).value()).as("%s bucket %s", name, buckets.get(i).labels())
                    .isGreaterThanOrEqualTo(buckets.get(i - 1).value());
        }
        assertThat(buckets.get(buckets.size() - 1).value()).isEqualTo(scrape.count(name));
        assertThat(scrape.value(name + "_sum")).isNotNull();
    }
}
