package com.salesmate.realtime.visits;

import com.salesmate.realtime.core.Site;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.index.strtree.STRtree;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every tenant's sites in memory, for visit detection's question "which sites of this tenant may contain this point".
 * One immutable snapshot per tenant (an STRtree over each site's exit circle, radius × 1.5) is built off the hot path
 * and swapped whole; a snapshot is only ever replaced by one of a higher version, so two reloads racing never go back.
 */
public final class SiteIndex {
    /** Mean meters per degree of latitude (Earth's mean radius). */
    public static final double METERS_PER_DEGREE = Haversine.EARTH_RADIUS_M * Math.PI / 180;

    /** A site whose exit circle contains a point, with the point's distance from its centre in meters. */
    public record Near(Site site, double distance) {
        /** Inside the site's radius (where a visit starts and is kept). */
        public boolean inside() {
            return distance <= site.radius();
        }
    }

    /**
     * One version of a tenant's sites. The tree is built on the first query after a change, so that a bulk import of
     * thousands of sites (one change each) builds it once rather than once per site.
     */
    private static final class Snapshot {
        private final long version;
        private final Map<String, Site> byId;
        private volatile STRtree tree;

        Snapshot(long version, Map<String, Site> byId) {
            this.version = version;
            this.byId = byId;
        }

        STRtree tree() {
            STRtree t = tree;
            if (t == null) {
                synchronized (this) {
                    t = tree;
                    if (t == null) {
                        t = built(byId.values());
                        tree = t;
                    }
                }
            }
            return t;
        }
    }

    private static final Snapshot EMPTY = new Snapshot(0, Map.of());

    private final Map<String, Snapshot> tenants = new ConcurrentHashMap<>();

    /** The tenant's sites whose exit circle contains the point, nearest first. */
    public List<Near> near(String tenantId, double latitude, double longitude) {
        Snapshot s = tenants.getOrDefault(tenantId, EMPTY);
        if (s.byId.isEmpty()) {
            return List.of();
        }
        @SuppressWarnings("unchecked")
        List<Site> candidates = s.tree().query(new Envelope(longitude, longitude, latitude, latitude));
        List<Near> near = new ArrayList<>(candidates.size());
        for (Site site : candidates) {
            double d = Haversine.meters(latitude, longitude, site.latitude(), site.longitude());
            if (d <= site.radius() * Site.EXIT_FACTOR) {
                near.add(new Near(site, d));
            }
        }
        near.sort((a, b) -> Double.compare(a.distance(), b.distance()));
        return near;
    }

    /** The version of the tenant's sites held here (0: none loaded). */
    public long version(String tenantId) {
        return tenants.getOrDefault(tenantId, EMPTY).version;
    }

    public int size(String tenantId) {
        return tenants.getOrDefault(tenantId, EMPTY).byId.size();
    }

    /** Sites held over all tenants. */
    public int size() {
        return tenants.values().stream().mapToInt(s -> s.byId.size()).sum();
    }

    /** Holds {@code sites} as the tenant's, at {@code version}, unless a newer version is held already. */
    void replace(String tenantId, long version, Collection<Site> sites) {
        Map<String, Site> byId = sites.stream().map(SiteIndex::geometry)
                .collect(Collectors.toUnmodifiableMap(Site::siteId, Function.identity()));
        Snapshot next = new Snapshot(version, byId);
        tenants.merge(tenantId, next, (held, offered) -> offered.version > held.version ? offered : held);
    }

    /**
     * One change of the tenant's sites ({@code site} null: {@code siteId} deleted) that made {@code version}: applied
     * when the version held here is the one before it. False otherwise (another change came between): the caller
     * reloads the tenant.
     */
    boolean apply(String tenantId, long version, String siteId, Site site) {
        boolean[] applied = {false};
        tenants.compute(tenantId, (t, held) -> {
            Snapshot base = held == null ? EMPTY : held;
            if (base.version != version - 1) {
                return held;
            }
            Map<String, Site> byId = new HashMap<>(base.byId);
            if (site == null) {
                byId.remove(siteId);
            } else {
                byId.put(siteId, geometry(site));
            }
            applied[0] = true;
            return new Snapshot(version, Map.copyOf(byId));
        });
        return applied[0];
    }

    /** What detection needs of a site: its circle and dwell (not its name or data: memory held on every node). */
    private static Site geometry(Site s) {
        return new Site(s.tenantId(), s.siteId(), null, s.latitude(), s.longitude(), s.radius(), s.dwellSeconds(),
                null, null, s.updatedAt());
    }

    private static STRtree built(Collection<Site> sites) {
        STRtree tree = new STRtree();
        for (Site site : sites) {
            for (Envelope e : envelopes(site)) {
                tree.insert(e, site);
            }
        }
        tree.build();
        return tree;
    }

    /**
     * The box (longitude, latitude) around the site's exit circle, with a margin, split in two where it crosses the
     * antimeridian; near a pole the box spans every longitude.
     */
    static List<Envelope> envelopes(Site site) {
        double meters = site.radius() * Site.EXIT_FACTOR * 1.01;
        double dLat = meters / METERS_PER_DEGREE;
        double minLat = Math.max(-90, site.latitude() - dLat);
        double maxLat = Math.min(90, site.latitude() + dLat);
        double farthest = Math.max(Math.abs(minLat), Math.abs(maxLat));
        if (farthest >= 89.0) {
            return List.of(new Envelope(-180, 180, minLat, maxLat));
        }
        double dLon = dLat / Math.cos(Math.toRadians(farthest));
        double west = site.longitude() - dLon;
        double east = site.longitude() + dLon;
        List<Envelope> boxes = new ArrayList<>(2);
        boxes.add(new Envelope(Math.max(-180, west), Math.min(180, east), minLat, maxLat));
        if (west < -180) {
            boxes.add(new Envelope(west + 360, 180, minLat, maxLat));
        }
        if (east > 180) {
            boxes.add(new Envelope(-180, east - 360, minLat, maxLat));
        }
        return boxes;
    }
}
