package com.salesmate.realtime.persistence;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.salesmate.realtime.api.SiteRequest;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Site;
import com.salesmate.realtime.visits.SiteIndex;
import com.salesmate.realtime.visits.Sites;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Customer sites on a real database (one subclass per engine): what is stored, what each node's index holds, and a
 * second node on the same database seeing every change within its refresh.
 */
abstract class SitesContract extends DatabaseContract {
    private final List<ScheduledExecutorService> executors = new ArrayList<>();
    private final List<Sites> nodes = new ArrayList<>();

    /** A node's sites service on the shared database, started (loaded, refreshing every 100 ms). */
    private Sites node(int maxPerTenant) throws Exception {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        executors.add(timers);
        Sites sites = new Sites(db().jdbi, new SiteIndex(), timers, Duration.ofMillis(100), maxPerTenant,
                Clock.systemUTC());
        sites.start();
        nodes.add(sites);
        return sites;
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(Sites::stop);
        executors.forEach(ScheduledExecutorService::shutdownNow);
    }

    static SiteRequest site(String name, double lat, double lon, Double radius, Integer dwell) {
        return new SiteRequest(null, name, lat, lon, radius, dwell, "cust-1",
                JsonNodeFactory.instance.objectNode().put("floor", 2));
    }

    @Test
    void aSiteIsCreatedThenReplacedAndTheIndexFollows() throws Exception {
        Sites a = node(100);
        Sites.Written first = a.put("t1", "acme", site("Acme Stores", 12.9716, 77.5946, null, null));
        assertThat(first.created()).isTrue();
        assertThat(first.site().radius()).isEqualTo(Site.DEFAULT_RADIUS);
        assertThat(first.site().dwellSeconds()).isEqualTo(Site.DEFAULT_DWELL_SECONDS);
        assertThat(a.index().near("t1", 12.9716, 77.5946)).extracting(n -> n.site().siteId()).containsExactly("acme");

        Sites.Written second = a.put("t1", "acme", site("Acme Stores (moved)", 13.0500, 77.6000, 300.0, 60));
        assertThat(second.created()).isFalse();
        Site stored = a.find("t1", "acme").orElseThrow();
        assertThat(stored.name()).isEqualTo("Acme Stores (moved)");
        assertThat(stored.radius()).isEqualTo(300.0);
        assertThat(stored.dwellSeconds()).isEqualTo(60);
        assertThat(stored.data()).isEqualTo("{\"floor\":2}");
        // the old place no longer has it, the new one does
        assertThat(a.index().near("t1", 12.9716, 77.5946)).isEmpty();
        assertThat(a.index().near("t1", 13.0500, 77.6000)).hasSize(1);
    }

    @Test
    void aDeletedSiteIsGoneFromTheDatabaseAndTheIndex() throws Exception {
        Sites a = node(100);
        a.put("t1", "acme", site("Acme", 12.9716, 77.5946, null, null));
        assertThat(a.index().near("t1", 12.9716, 77.5946)).hasSize(1);
        assertThat(a.delete("t1", "acme")).isTrue();
        assertThat(a.find("t1", "acme")).isEmpty();
        assertThat(a.index().near("t1", 12.9716, 77.5946)).isEmpty();
        assertThat(a.delete("t1", "acme")).isFalse();
    }

    @Test
    void pastTheTenantsLimitANewSiteIsRefusedAndNothingIsWritten() throws Exception {
        Sites a = node(2);
        a.put("t1", "s1", site("one", 10, 10, null, null));
        a.put("t1", "s2", site("two", 10.01, 10, null, null));
        assertThatThrownBy(() -> a.put("t1", "s3", site("three", 10.02, 10, null, null)))
                .isInstanceOf(ApiException.class).hasMessageContaining("2 sites");
        assertThat(a.find("t1", "s3")).isEmpty();
        assertThat(a.index().size("t1")).isEqualTo(2);
        // replacing one it has is no new site; another tenant has its own limit
        assertThat(a.put("t1", "s2", site("two again", 10.01, 10, null, null)).created()).isFalse();
        assertThat(a.put("t2", "s3", site("three", 10.02, 10, null, null)).created()).isTrue();
    }

    @Test
    void tenantsHaveTheirOwnSitesUnderTheSameIds() throws Exception {
        Sites a = node(100);
        a.put("t1", "hq", site("T1 HQ", 12.9716, 77.5946, null, null));
        a.put("t2", "hq", site("T2 HQ", 12.9716, 77.5946, null, null));
        a.put("t2", "depot", site("T2 depot", 28.6139, 77.2090, null, null));
        assertThat(a.find("t1", "hq").orElseThrow().name()).isEqualTo("T1 HQ");
        assertThat(a.find("t2", "hq").orElseThrow().name()).isEqualTo("T2 HQ");
        assertThat(a.find("t1", "depot")).isEmpty();
        // at the depot, t2 has a site (the positive control) and t1 none
        assertThat(a.index().near("t2", 28.6139, 77.2090)).extracting(n -> n.site().siteId()).containsExactly("depot");
        assertThat(a.index().near("t1", 28.6139, 77.2090)).isEmpty();
        assertThat(a.index().near("t1", 12.9716, 77.5946)).extracting(n -> n.site().tenantId()).containsExactly("t1");
        assertThat(a.page("t1", null, 100)).extracting(Site::siteId).containsExactly("hq");
    }

    @Test
    void pagesAreInIdOrder() throws Exception {
        Sites a = node(100);
        for (String id : List.of("c", "a", "e", "b", "d")) {
            a.put("t1", id, site(id, 10, 10, null, null));
        }
        assertThat(a.page("t1", null, 2)).extracting(Site::siteId).containsExactly("a", "b");
        assertThat(a.page("t1", "b", 2)).extracting(Site::siteId).containsExactly("c", "d");
        assertThat(a.page("t1", "d", 2)).extracting(Site::siteId).containsExactly("e");
    }

    @Test
    void anotherNodeOnTheSameDatabaseSeesEveryChangeWithinItsRefresh() throws Exception {
        Sites a = node(100);
        Sites b = node(100);
        a.put("t1", "acme", site("Acme", 12.9716, 77.5946, null, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.index().near("t1", 12.9716, 77.5946).size() == 1);
        a.put("t1", "acme", site("Acme", 13.0500, 77.6000, null, null));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.index().near("t1", 13.0500, 77.6000).size() == 1);
        assertThat(b.index().near("t1", 12.9716, 77.5946)).isEmpty();
        a.delete("t1", "acme");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.index().size("t1") == 0);
        // and a node started later loads what is there
        b.put("t1", "late", site("Late", 1, 1, null, null));
        Sites c = node(100);
        assertThat(c.index().near("t1", 1, 1)).extracting(n -> n.site().siteId()).containsExactly("late");
    }
}
