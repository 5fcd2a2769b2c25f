package com.salesmate.realtime.visits;

import com.salesmate.realtime.core.Site;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The in-memory index: which sites of a tenant may contain a point, checked against a plain scan. */
class SiteIndexTest {
    /** Meters per degree of latitude on the sphere the index uses. */
    static final double M_PER_DEG = SiteIndex.METERS_PER_DEGREE;

    static Site site(String tenant, String id, double lat, double lon, double radius) {
        return new Site(tenant, id, id, lat, lon, radius, 120, null, null, 0);
    }

    @Test
    void distancesAreGreatCircleMeters() {
        assertThat(Haversine.meters(0, 0, 1, 0)).isCloseTo(111_195, within(1.0));
        assertThat(Haversine.meters(60, 0, 60, 1)).isCloseTo(55_597, within(2.0)); // cos 60° of the equator's degree
        assertThat(Haversine.meters(12.9716, 77.5946, 12.9716, 77.5946)).isZero();
    }

    @Test
    void aPointIsNearASiteUpToItsExitCircleAndInsideUpToItsRadius() {
        SiteIndex index = new SiteIndex();
        index.replace("t", 1, List.of(site("t", "a", 10, 20, 100)));
        double deg = 1 / M_PER_DEG; // one meter north
        assertThat(index.near("t", 10 + 99 * deg, 20)).singleElement().satisfies(n -> assertThat(n.inside()).isTrue());
        assertThat(index.near("t", 10 + 101 * deg, 20)).singleElement().satisfies(n -> assertThat(n.inside()).isFalse());
        assertThat(index.near("t", 10 + 149 * deg, 20)).hasSize(1);
        assertThat(index.near("t", 10 + 151 * deg, 20)).isEmpty();
        assertThat(index.near("other-tenant", 10, 20)).isEmpty();
    }

    @Test
    void theIndexAgreesWithAScanOverThousandsOfSites() {
        Random r = new Random(42);
        List<Site> sites = new ArrayList<>();
        for (int i = 0; i < 5000; i++) { // a city's worth: within ~20 km, radii 30 m .. 5 km
            sites.add(site("t", "s" + i, 12.9 + r.nextDouble() * 0.2, 77.5 + r.nextDouble() * 0.2,
                    30 + r.nextDouble() * (i % 50 == 0 ? 4970 : 400)));
        }
        SiteIndex index = new SiteIndex();
        index.replace("t", 1, sites);
        int nonEmpty = 0;
        for (int q = 0; q < 2000; q++) {
            double lat = 12.9 + r.nextDouble() * 0.2;
            double lon = 77.5 + r.nextDouble() * 0.2;
            List<String> expected = sites.stream()
                    .filter(s -> Haversine.meters(lat, lon, s.latitude(), s.longitude()) <= s.radius() * Site.EXIT_FACTOR)
                    .map(Site::siteId).sorted().toList();
            List<String> found = index.near("t", lat, lon).stream().map(n -> n.site().siteId()).sorted().toList();
            assertThat(found).as("at %f,%f", lat, lon).isEqualTo(expected);
            nonEmpty += expected.isEmpty() ? 0 : 1;
        }
        assertThat(nonEmpty).as("queries that hit at least one site").isGreaterThan(1000);
    }

    @Test
    void sitesAcrossTheAntimeridianAndNearAPoleAreFound() {
        SiteIndex index = new SiteIndex();
        index.replace("t", 1, List.of(site("t", "dateline", 0, 179.9995, 200), site("t", "pole", 89.99, 0, 1000)));
        assertThat(index.near("t", 0, -179.9995)).extracting(n -> n.site().siteId()).containsExactly("dateline");
        // 819 m from the site, 45 degrees of longitude away: found though the box spans every longitude there
        assertThat(index.near("t", 89.995, 45)).extracting(n -> n.site().siteId()).containsExactly("pole");
        assertThat(index.near("t", 89.995, 135)).as("1,555 m: outside the exit circle").isEmpty();
    }

    @Test
    void anOlderVersionNeverReplacesANewerOneAndAChangeAppliesOnlyOnTheVersionBeforeIt() {
        SiteIndex index = new SiteIndex();
        index.replace("t", 5, List.of(site("t", "new", 1, 1, 100)));
        index.replace("t", 4, List.of(site("t", "old", 2, 2, 100)));
        assertThat(index.version("t")).isEqualTo(5);
        assertThat(index.near("t", 1, 1)).hasSize(1);
        assertThat(index.near("t", 2, 2)).isEmpty();

        assertThat(index.apply("t", 7, "x", site("t", "x", 3, 3, 100))).as("6 is missing").isFalse();
        assertThat(index.near("t", 3, 3)).isEmpty();
        assertThat(index.apply("t", 6, "x", site("t", "x", 3, 3, 100))).isTrue();
        assertThat(index.near("t", 3, 3)).hasSize(1);
        assertThat(index.apply("t", 7, "new", null)).isTrue();
        assertThat(index.near("t", 1, 1)).isEmpty();
        assertThat(index.size("t")).isEqualTo(1);
        assertThat(index.version("t")).isEqualTo(7);
    }
}
