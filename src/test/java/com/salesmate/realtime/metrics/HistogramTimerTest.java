package com.salesmate.realtime.metrics;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The buckets a duration lands in, as the text format writes them, and the timer it still is. */
class HistogramTimerTest {

    private static String exported(MetricRegistry registry) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, PrometheusExport.of(registry).scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aDurationOnABoundIsInThatBucketAndAboveTheLastOnlyInInf() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        Timer timer = HistogramTimer.of(registry, "locations.checkpoint.catch-up");
        timer.update(500, TimeUnit.MICROSECONDS); // exactly 0.0005 s
        timer.update(500_001, TimeUnit.NANOSECONDS); // just above
        timer.update(31, TimeUnit.SECONDS);
        timer.update(-1, TimeUnit.SECONDS); // a timer ignores negative durations

        String text = exported(registry);
        assertThat(text).contains("# TYPE locations_checkpoint_catch_up_seconds histogram",
                "locations_checkpoint_catch_up_seconds_bucket{le=\"5.0E-4\"} 1\n",
                "locations_checkpoint_catch_up_seconds_bucket{le=\"0.001\"} 2\n",
                "locations_checkpoint_catch_up_seconds_bucket{le=\"30.0\"} 2\n",
                "locations_checkpoint_catch_up_seconds_bucket{le=\"+Inf\"} 3\n",
                "locations_checkpoint_catch_up_seconds_count 3\n",
                "locations_checkpoint_catch_up_seconds_sum 31.001000001\n");
        // not a summary as well
        assertThat(text).doesNotContain("quantile=").doesNotContain("locations_checkpoint_catch_up{");
        // and the Dropwizard timer is unchanged for /metrics
        assertThat(timer.getCount()).isEqualTo(3);
        assertThat(timer.getSnapshot().getMax()).isEqualTo(TimeUnit.SECONDS.toNanos(31));
    }

    @Test
    void aNameTakenByAPlainTimerIsRefusedRatherThanExportedAsASummary() {
        MetricRegistry registry = new MetricRegistry();
        registry.timer("locations.ack");
        assertThatThrownBy(() -> HistogramTimer.of(registry, "locations.ack"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("locations.ack");
        Timer fanout = HistogramTimer.of(registry, "socketio.fanout");
        assertThat(HistogramTimer.of(registry, "socketio.fanout")).isSameAs(fanout);
    }

    @Test
    void metersOfOneFamilyAreOneLabelledCounterAndTheRestKeepTheirNames() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        registry.meter("socketio.handshakes.refused.origin").mark(2);
        registry.meter("socketio.handshakes.refused.rate").mark();
        registry.meter("socketio.rate-limited").mark();

        String text = exported(registry);
        assertThat(text).containsOnlyOnce("# TYPE socketio_handshakes_refused_total counter")
                .contains("socketio_handshakes_refused_total{reason=\"origin\"} 2.0\n",
                        "socketio_handshakes_refused_total{reason=\"rate\"} 1.0\n",
                        "socketio_rate_limited_total 1.0\n")
                .doesNotContain("socketio_handshakes_refused_origin");
    }
}
