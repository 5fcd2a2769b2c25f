package com.salesmate.realtime.visits;

import com.salesmate.realtime.core.Site;
import com.salesmate.realtime.core.Visit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The visit state machine on realistic tracks (SPEC 10), in device time. */
class VisitDetectorTest {
    static final double LAT = 12.9716;
    static final double LON = 77.5946;
    static final double M = 1 / SiteIndex.METERS_PER_DEGREE; // one meter of latitude in degrees
    static final long T0 = 1_796_000_000_000L;

    final SiteIndex sites = new SiteIndex();
    final List<Visit> open = new ArrayList<>();
    final List<VisitDetector.Decision> decisions = new ArrayList<>();

    VisitDetectorTest() {
        sites.replace("t", 1, List.of(new Site("t", "acme", "Acme", LAT, LON, 100, 120, null, null, 0)));
        sites.replace("other", 1, List.of(new Site("other", "theirs", "Theirs", LAT, LON, 100, 0, null, null, 0)));
    }

    /** A point {@code north} meters north of the site, at {@code second} s, with {@code accuracy} meters. */
    static VisitDetector.Fix at(long second, double north, Double accuracy) {
        return new VisitDetector.Fix(T0 + second * 1000, LAT + north * M, LON, accuracy);
    }

    /** Applies points as the writer does, batch by batch, keeping only open visits between batches. */
    void apply(VisitDetector.Fix... points) {
        VisitDetector.Outcome o = VisitDetector.advance("t", "ravi", open, List.of(points), sites);
        decisions.addAll(o.decisions());
        for (Visit v : o.changed().values()) {
            open.removeIf(x -> x.visitId().equals(v.visitId()));
            if (v.isOpen()) {
                open.add(v);
            }
        }
    }

    List<String> events() {
        return decisions.stream().map(VisitDetector.Decision::event).toList();
    }

    @Test
    void approachNoiseAJumpOutDwellAndLeaveMakeExactlyArrivedCheckedInCheckedOut() {
        apply(at(0, 800, 10.0), at(10, 400, 10.0), at(20, 160, 10.0)); // approaching, outside
        apply(at(30, 20, 80.0), at(40, 10, 60.0)); // inside but poor accuracy: no arrival
        assertThat(events()).isEmpty();
        apply(at(50, 30, 12.0)); // accurate, inside: arrived
        apply(at(60, 10, 8.0), at(70, 400, 9.0), at(80, 5, 8.0)); // one accurate jump out, 400 m: forgotten
        apply(at(100, 120, 10.0)); // between radius and 1.5 x radius: still there
        assertThat(events()).containsExactly(VisitDetector.ARRIVED);
        apply(at(169, 10, 8.0)); // 119 s after arriving: not yet
        apply(at(170, 10, 8.0)); // 120 s: checked in
        apply(at(600, 15, 40.0)); // 40 m accuracy is fine at radius 100 (min(50, 50))
        apply(at(900, 300, 9.0), at(930, 500, 9.0), at(950, 20, 200.0)); // leaving; an inaccurate point inside
        apply(at(959, 800, 9.0)); // 59 s outside
        assertThat(events()).containsExactly(VisitDetector.ARRIVED, VisitDetector.CHECKED_IN);
        apply(at(960, 900, 9.0)); // 60 s outside: checked out
        assertThat(events()).containsExactly(VisitDetector.ARRIVED, VisitDetector.CHECKED_IN,
                VisitDetector.CHECKED_OUT);

        Visit done = decisions.get(2).visit();
        assertThat(done.visitId()).isEqualTo(decisions.get(0).visit().visitId()).startsWith("v_");
        assertThat(done.arrivedAt()).isEqualTo(T0 + 50_000);
        assertThat(done.checkedInAt()).isEqualTo(T0 + 170_000);
        assertThat(done.leftAt()).isEqualTo(T0 + 900_000);
        assertThat(done.checkedOutAt()).isEqualTo(T0 + 960_000);
        assertThat(done.duration()).isEqualTo(850_000);
        assertThat(decisions.get(2).point().at()).isEqualTo(T0 + 960_000);
        assertThat(open).isEmpty();

        // and back later: a new visit with another id
        apply(at(2000, 0, 5.0));
        assertThat(events()).hasSize(4).last().isEqualTo(VisitDetector.ARRIVED);
        assertThat(decisions.get(3).visit().visitId()).isNotEqualTo(done.visitId());
    }

    @Test
    void theSameTrackInOneOfflineBatchMakesTheSameVisit() {
        VisitDetector.Fix[] track = {at(0, 800, 10.0), at(50, 30, 12.0), at(70, 400, 9.0), at(80, 5, 8.0),
                at(170, 10, 8.0), at(900, 300, 9.0), at(960, 900, 9.0)};
        apply(track);
        List<VisitDetector.Decision> batch = List.copyOf(decisions);
        VisitDetectorTest live = new VisitDetectorTest();
        for (VisitDetector.Fix p : track) {
            live.apply(p);
        }
        assertThat(batch).hasSize(3);
        assertThat(live.decisions).isEqualTo(batch);
    }

    @Test
    void pointsOlderThanWhatAVisitHasSeenAreNotAppliedToIt() {
        apply(at(50, 30, 12.0), at(170, 10, 8.0));
        apply(at(60, 900, 9.0), at(200, 900, 9.0)); // late points from before: ignored; not 60 s outside from 60
        assertThat(events()).containsExactly(VisitDetector.ARRIVED, VisitDetector.CHECKED_IN);
        apply(at(260, 900, 9.0));
        assertThat(events()).last().isEqualTo(VisitDetector.CHECKED_OUT);
        assertThat(decisions.get(2).visit().leftAt()).isEqualTo(T0 + 200_000);
    }

    @Test
    void aDriveByIsClosedWithoutACheckIn() {
        apply(at(0, 50, 10.0), at(30, 500, 10.0), at(90, 600, 10.0));
        assertThat(events()).containsExactly(VisitDetector.ARRIVED, VisitDetector.CHECKED_OUT);
        assertThat(decisions.get(1).visit().checkedInAt()).isNull();
        assertThat(decisions.get(1).visit().duration()).isEqualTo(30_000);
    }

    @Test
    void inaccuratePointsNeverEndAVisitAndPointsWithoutAccuracyNeverStartOne() {
        apply(at(0, 0, null), at(10, 0, null));
        assertThat(events()).isEmpty();
        apply(at(20, 0, 10.0));
        apply(at(30, 900, 100.0), at(200, 900, 100.0), at(400, 900, null));
        assertThat(events()).containsExactly(VisitDetector.ARRIVED);
        // they do not even count as seen: a late accurate point from before them is still applied
        assertThat(open).singleElement().satisfies(v -> assertThat(v.lastAt()).isEqualTo(T0 + 20_000));
        apply(at(25, 900, 10.0), at(90, 900, 10.0));
        assertThat(events()).containsExactly(VisitDetector.ARRIVED, VisitDetector.CHECKED_OUT);
    }

    @Test
    void aSmallSiteWantsAccuracyWithinHalfItsRadiusAndDwellZeroChecksInAtArrival() {
        sites.replace("t", 2, List.of(new Site("t", "kiosk", "Kiosk", LAT, LON, 30, 0, null, null, 0)));
        apply(at(0, 5, 20.0)); // 20 m > 15 m
        assertThat(events()).isEmpty();
        apply(at(10, 5, 15.0));
        assertThat(events()).containsExactly(VisitDetector.ARRIVED, VisitDetector.CHECKED_IN);
        assertThat(decisions.get(1).point().at()).isEqualTo(T0 + 10_000);
    }

    @Test
    void overlappingSitesHaveAVisitEachAndAnotherTenantsSiteIsNeverMatched() {
        sites.replace("t", 2, List.of(new Site("t", "mall", "Mall", LAT, LON, 500, 60, null, null, 0),
                new Site("t", "shop", "Shop in the mall", LAT + 100 * M, LON, 40, 60, null, null, 0)));
        apply(at(0, 100, 10.0));
        Collection<String> arrivedAt = decisions.stream().map(d -> d.visit().siteId()).toList();
        assertThat(arrivedAt).containsExactlyInAnyOrder("mall", "shop");
        assertThat(decisions).allSatisfy(d -> assertThat(d.visit().tenantId()).isEqualTo("t"));
        // positive control for the other tenant: its salesman at the same spot gets its own site
        VisitDetector.Outcome theirs = VisitDetector.advance("other", "x", List.of(), List.of(at(0, 0, 5.0)), sites);
        assertThat(theirs.decisions()).extracting(d -> d.visit().siteId()).containsExactly("theirs", "theirs");
    }
}
