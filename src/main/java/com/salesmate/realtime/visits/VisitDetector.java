package com.salesmate.realtime.visits;

import com.salesmate.realtime.core.Site;
import com.salesmate.realtime.core.Visit;
import com.salesmate.realtime.hub.Events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The visit state machine of SPEC 10, per (salesman, site), in device time: outside → arrived (an accurate point inside
 * the radius) → checked in (still there {@code dwell} after arriving) → checked out (accurate points beyond radius ×
 * 1.5 for {@value #EXIT_MILLIS} ms; the first of them is when he left). A point is accurate for a site when its
 * accuracy is known and at most min(50 m, radius / 2); others neither start, move on nor end a visit. Between the
 * radius and 1.5 × radius a salesman is still there (GPS noise at the edge does not end a visit), and an outside run
 * ends at the first accurate point back within 1.5 × radius (one jump out is forgotten). A visit that ends before its
 * check-in still gets {@code visit:checked_out} (with {@code checkedIn: false}): every arrival is closed once.
 *
 * <p>A pure function of the open visits and the points: the writer runs it in the transaction that stores the points,
 * so the same points (a replayed batch) are never applied twice and any node goes on from the stored state.
 */
public final class VisitDetector {
    public static final String ARRIVED = Events.VISIT_ARRIVED;
    public static final String CHECKED_IN = Events.VISIT_CHECKED_IN;
    public static final String CHECKED_OUT = Events.VISIT_CHECKED_OUT;
    static final long EXIT_MILLIS = 60_000;
    static final double BEST_ACCURACY_NEEDED = 50;

    /** A stored point as detection sees it. */
    public record Fix(long at, double latitude, double longitude, Double accuracy) {
    }

    /** What a point decided for a visit; {@code visit} is the visit as it is after it. */
    public record Decision(String event, Visit visit, Fix point) {
    }

    /** One salesman's points applied: the visits that changed (their last state, by id) and the decisions in order. */
    public record Outcome(Map<String, Visit> changed, List<Decision> decisions) {
    }

    private VisitDetector() {
    }

    /** Applies {@code points} (oldest first) of one salesman to his {@code open} visits and the tenant's sites. */
    public static Outcome advance(String tenantId, String salesmanId, Collection<Visit> open, List<Fix> points,
                                  SiteIndex sites) {
        Map<String, Visit> bySite = new LinkedHashMap<>();
        open.forEach(v -> bySite.put(v.siteId(), v));
        Map<String, Visit> changed = new LinkedHashMap<>();
        List<Decision> decisions = new ArrayList<>();
        for (Fix p : points) {
            for (Visit v : List.copyOf(bySite.values())) {
                if (p.at() <= v.lastAt()) {
                    continue; // older than what this visit has seen: never applied after a newer point
                }
                Visit next = step(v, p, decisions);
                if (next == v) {
                    continue; // an inaccurate point: nothing moves on, not even what the visit has seen
                }
                changed.put(next.visitId(), next);
                if (next.isOpen()) {
                    bySite.put(next.siteId(), next);
                } else {
                    bySite.remove(next.siteId());
                }
            }
            for (SiteIndex.Near near : sites.near(tenantId, p.latitude(), p.longitude())) {
                Site site = near.site();
                if (bySite.containsKey(site.siteId()) || !near.inside() || !accurate(p, site.radius())) {
                    continue;
                }
                Visit v = arrived(tenantId, salesmanId, site, p);
                decisions.add(new Decision(ARRIVED, v, p));
                if (site.dwellSeconds() == 0) {
                    v = v.checkedIn(p.at());
                    decisions.add(new Decision(CHECKED_IN, v, p));
                }
                changed.put(v.visitId(), v);
                bySite.put(site.siteId(), v);
            }
        }
        return new Outcome(changed, decisions);
    }

    private static Visit step(Visit v, Fix p, List<Decision> decisions) {
        if (!accurate(p, v.radius())) {
            return v;
        }
        double d = Haversine.meters(p.latitude(), p.longitude(), v.siteLatitude(), v.siteLongitude());
        if (d > v.radius() * Site.EXIT_FACTOR) {
            if (v.outsideSince() == null) {
                return v.seen(p.at(), p.at());
            }
            if (p.at() - v.outsideSince() >= EXIT_MILLIS) {
                Visit out = v.checkedOut(p.at());
                decisions.add(new Decision(CHECKED_OUT, out, p));
                return out;
            }
            return v.seen(p.at(), v.outsideSince());
        }
        if (v.checkedInAt() == null && p.at() - v.arrivedAt() >= v.dwellSeconds() * 1000L) {
            Visit in = v.checkedIn(p.at());
            decisions.add(new Decision(CHECKED_IN, in, p));
            return in;
        }
        return v.seen(p.at(), null);
    }

    static boolean accurate(Fix p, double radius) {
        return p.accuracy() != null && p.accuracy() <= Math.min(BEST_ACCURACY_NEEDED, radius / 2);
    }

    private static Visit arrived(String tenantId, String salesmanId, Site site, Fix p) {
        return new Visit(visitId(tenantId, salesmanId, site.siteId(), p.at()), tenantId, salesmanId, site.siteId(),
                site.latitude(), site.longitude(), site.radius(), site.dwellSeconds(), p.at(), p.latitude(),
                p.longitude(), p.accuracy(), null, null, null, null, p.at());
    }

    /** The same on every node for the same arrival: a race between two nodes makes one visit, not two. */
    static String visitId(String tenantId, String salesmanId, String siteId, long arrivedAt) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] h = sha.digest((tenantId + '\n' + salesmanId + '\n' + siteId + '\n' + arrivedAt)
                    .getBytes(StandardCharsets.UTF_8));
            return "v_" + HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
