package com.salesmate.realtime.metrics;

import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.MapperConfig;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the admin port's {@code /prometheus} makes of the application's Dropwizard registry. Three collectors, each
 * metric in exactly one of them:
 * <ul>
 * <li>the {@link HistogramTimer}s as classic histograms {@code <name>_seconds} (buckets, sum, count);</li>
 * <li>the meters of {@link #FAMILIES} as one labelled counter per family, e.g.
 * {@code socketio.handshakes.refused.origin} as {@code socketio_handshakes_refused_total{reason="origin"}};</li>
 * <li>everything else with {@link DropwizardExports}' default names (meters {@code <name>_total}, gauges, other timers
 * and histograms as summaries).</li>
 * </ul>
 * The families are written as {@link MapperConfig}s and mapped by DropwizardExports' {@link CustomLabelMapper}, but
 * grouped here: DropwizardExports given a mapper makes one family per meter, and two meters mapped to one name fail
 * the whole scrape with "duplicate metric name" (prometheus/client_java#1712, 1.4.3).
 */
public final class PrometheusExport {
    /** Meters whose last name part becomes a label of one counter family; the rest of the name is the family's. */
    static final List<MapperConfig> FAMILIES = List.of(
            family("socketio.handshakes.refused.*", "socketio_handshakes_refused", "reason"),
            family("socketio.connections.disconnects.reason.*", "socketio_disconnects", "reason"),
            family("socketio.connections.connects.*", "socketio_connects_by_transport", "transport"),
            family("socketio.auth.failures.*", "socketio_auth_failures", "code"),
            family("socketio.messages.received.*", "socketio_events_received", "event"),
            family("socketio.messages.sent.*", "socketio_events_sent", "event"),
            family("cluster.messages.dropped.*", "cluster_messages_dropped_by_reason", "reason"),
            family("webhooks.deliveries.*", "webhooks_deliveries", "outcome"),
            family("visits.events.*", "visits_events", "event"));

    private PrometheusExport() {
    }

    private static MapperConfig family(String match, String name, String label) {
        return new MapperConfig(match, name, Map.of(label, "${0}"));
    }

    /** A Prometheus registry that exports {@code metrics} as described above, read at each scrape. */
    public static PrometheusRegistry of(MetricRegistry metrics) {
        PrometheusRegistry prometheus = new PrometheusRegistry();
        LabelledMeters labelled = new LabelledMeters(metrics);
        DropwizardExports.builder().dropwizardRegistry(metrics)
                .metricFilter((name, metric) -> !exportedApart(name, metric, labelled))
                .register(prometheus);
        prometheus.register(labelled);
        prometheus.register(new Histograms(metrics));
        return prometheus;
    }

    private static boolean exportedApart(String name, Metric metric, LabelledMeters labelled) {
        return metric instanceof HistogramTimer || metric instanceof Meter && labelled.family(name) != null;
    }

    /** The histogram timers as {@code <sanitized name>_seconds}. */
    private static final class Histograms implements MultiCollector {
        private final MetricRegistry metrics;

        Histograms(MetricRegistry metrics) {
            this.metrics = metrics;
        }

        @Override
        public MetricSnapshots collect() {
            MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
            metrics.getTimers((name, metric) -> metric instanceof HistogramTimer).forEach((name, timer) ->
                    snapshots.metricSnapshot(HistogramSnapshot.builder()
                            .name(PrometheusNaming.sanitizeMetricName(name) + "_seconds")
                            .help("Dropwizard timer " + name + ", in seconds")
                            .unit(Unit.SECONDS)
                            .dataPoint(((HistogramTimer) timer).dataPoint())
                            .build()));
            return snapshots.build();
        }
    }

    /** The meters of {@link #FAMILIES}, one counter family each with one data point per meter. */
    private static final class LabelledMeters implements MultiCollector {
        private final MetricRegistry metrics;
        private final CustomLabelMapper mapper = new CustomLabelMapper(FAMILIES);
        private final Map<String, String> helps = FAMILIES.stream().collect(Collectors.toUnmodifiableMap(
                MapperConfig::getName, c -> "Dropwizard meters " + c.getMatch().replace("*",
                        "<" + c.getLabels().keySet().iterator().next() + ">")));

        LabelledMeters(MetricRegistry metrics) {
            this.metrics = metrics;
        }

        /** The family of the meter {@code name}, or null when it has none. */
        String family(String name) {
            // the mapper answers the name unchanged when no pattern matches; a family's name has no dot, a meter's has
            String mapped = mapper.getName(name);
            return mapped.equals(name) ? null : mapped;
        }

        @Override
        public MetricSnapshots collect() {
            Map<String, CounterSnapshot.Builder> families = new TreeMap<>();
            metrics.getMeters().forEach((name, meter) -> {
                String family = family(name);
                if (family != null) {
                    families.computeIfAbsent(family, f -> CounterSnapshot.builder().name(f).help(helps.get(f)))
                            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                                    .labels(mapper.getLabels(name, List.of(), List.of()))
                                    .value(meter.getCount())
                                    .build());
                }
            });
            MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
            families.values().forEach(f -> snapshots.metricSnapshot(f.build()));
            return snapshots.build();
        }
    }
}
