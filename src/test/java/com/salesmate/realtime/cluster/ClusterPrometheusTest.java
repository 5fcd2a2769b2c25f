package com.salesmate.realtime.cluster;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.ClusterNodes;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.PrometheusScrape;
import com.salesmate.realtime.support.PrometheusScrape.Scrape;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster's own metrics on {@code /prometheus} of two nodes on one Redis and one database: the stream lag and the
 * Redis round trip as histograms, the redis health check as a gauge, every family declared once, and the database
 * gauges the same figure on both nodes (so they are aggregated with max, not sum).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
@Timeout(120)
class ClusterPrometheusTest {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final ClusterNodes CLUSTER = new ClusterNodes();
    static final TestApp A = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_A = A.extension();
    static final TestApp B = CLUSTER.node(PG.url());
    static final DropwizardAppExtension<RealtimeConfiguration> EXT_B = B.extension();

    static Scrape scrape(TestApp node) throws Exception {
        return PrometheusScrape.of(node.adminUrl("/prometheus"));
    }

    @Test
    void anEmitOnOneNodeIsTimedOnTheOtherAndEveryFamilyIsDeclaredOnce() throws Exception {
        String t = ClusterNodes.tenant();
        Scrape before = scrape(B);
        try (SioClient managerB = SioClient.authenticated(B.socketUrl(), B.managerToken(t, "m-b"))) {
            A.postOk("/emit/alert", TestApp.ADMIN_KEY, "{\"tenantId\":\"" + t + "\",\"message\":\"storm\"}");
            managerB.await("alert");
            A.postOk("/emit/notification", TestApp.ADMIN_KEY,
                    "{\"tenantId\":\"" + t + "\",\"salesmanId\":\"away\",\"message\":\"call back\"}");
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(scrape(B).count(
                "cluster_stream_lag_seconds")).isGreaterThan(before.count("cluster_stream_lag_seconds")));
        for (TestApp node : new TestApp[]{A, B}) {
            Scrape s = scrape(node);
            for (String histogram : new String[]{"cluster_stream_lag_seconds", "cluster_redis_latency_seconds"}) {
                PrometheusScrape.assertWellFormedHistogram(s, histogram);
            }
            // the first heartbeat of a node may still be to come (one a second)
            await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> assertThat(
                    scrape(node).count("cluster_redis_latency_seconds")).as("heartbeats timed").isGreaterThan(0));
            assertThat(s.value("cluster_messages_dropped_total")).isNotNull();
            // as of the node's last heartbeat
            await().atMost(Duration.ofSeconds(10)).until(() -> scrape(node).value("cluster_nodes") == 2.0);
        }
        // the redis check is not scheduled by Dropwizard here: its gauge comes from the service's own runs
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
            assertThat(scrape(A).value("health_redis")).isEqualTo(1.0);
            assertThat(scrape(B).value("health_redis")).isEqualTo(1.0);
        });
        // one database: both nodes count the same pending notification (within their 15 s refresh)
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
            assertThat(scrape(A).value("notifications_pending")).isEqualTo(1.0);
            assertThat(scrape(B).value("notifications_pending")).isEqualTo(1.0);
        });
    }
}
