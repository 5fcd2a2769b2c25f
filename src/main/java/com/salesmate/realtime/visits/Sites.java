package com.salesmate.realtime.visits;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesmate.realtime.api.SiteRequest;
import com.salesmate.realtime.core.ApiException;
import com.salesmate.realtime.core.Site;
import com.salesmate.realtime.persistence.SiteDao;
import io.dropwizard.lifecycle.Managed;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Customer sites: stored in the database (the truth), held in the {@link SiteIndex} for visit detection. A change
 * bumps its tenant's version in the same transaction and reloads the tenant here at once; every node also compares
 * the stored versions with those it holds every {@code refresh} and reloads what changed — so a change made on another
 * node (or while this one could not hear of it) is in every node's index within that bound, with no message to lose.
 */
public final class Sites implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(Sites.class);
    /** Bound on a site's {@code data}, as JSON text. */
    public static final int MAX_DATA_CHARS = 4096;

    /** A site written, and whether it is new. */
    public record Written(Site site, boolean created) {
    }

    private final Jdbi jdbi;
    private final SiteIndex index;
    private final ScheduledExecutorService timers;
    private final Duration refresh;
    private final int maxPerTenant;
    private final Clock clock;
    private ScheduledFuture<?> refreshing;

    public Sites(Jdbi jdbi, SiteIndex index, ScheduledExecutorService timers, Duration refresh, int maxPerTenant,
                 Clock clock) {
        this.jdbi = jdbi;
        this.index = index;
        this.timers = timers;
        this.refresh = refresh;
        this.maxPerTenant = maxPerTenant;
        this.clock = clock;
    }

    public SiteIndex index() {
        return index;
    }

    /** Creates or replaces the tenant's site; refused (and nothing written) past the tenant's limit. */
    public Written put(String tenantId, String siteId, SiteRequest body) {
        String data = dataText(body.data());
        Site site = new Site(tenantId, siteId, body.name(), body.latitude(), body.longitude(),
                body.radius() == null ? Site.DEFAULT_RADIUS : body.radius(),
                body.dwell() == null ? Site.DEFAULT_DWELL_SECONDS : body.dwell(), body.customerId(), data,
                clock.millis());
        long[] version = new long[1];
        boolean created = jdbi.inTransaction(h -> {
            SiteDao dao = h.attach(SiteDao.class);
            dao.bump(tenantId); // first: the tenant's row lock orders its changes (and the count below)
            version[0] = dao.version(tenantId).orElseThrow();
            boolean isNew = dao.find(tenantId, siteId).isEmpty();
            if (isNew && dao.count(tenantId) >= maxPerTenant) {
                throw ApiException.invalid("siteId", "the tenant has " + maxPerTenant + " sites, the most it may have");
            }
            dao.upsert(site);
            return isNew;
        });
        held(tenantId, version[0], siteId, site);
        return new Written(site, created);
    }

    /** The change is in this node's index when this returns (read-your-writes for visit detection). */
    private void held(String tenantId, long version, String siteId, Site site) {
        if (!index.apply(tenantId, version, siteId, site)) {
            reload(tenantId); // another change came between (on another node, or racing here)
        }
    }

    /** True when the site existed (and is now gone). */
    public boolean delete(String tenantId, String siteId) {
        long[] version = new long[1];
        boolean deleted = jdbi.inTransaction(h -> {
            SiteDao dao = h.attach(SiteDao.class);
            if (dao.find(tenantId, siteId).isEmpty()) {
                return false;
            }
            dao.bump(tenantId);
            version[0] = dao.version(tenantId).orElseThrow();
            return dao.delete(tenantId, siteId) == 1;
        });
        if (deleted) {
            held(tenantId, version[0], siteId, null);
        }
        return deleted;
    }

    public Optional<Site> find(String tenantId, String siteId) {
        return jdbi.withExtension(SiteDao.class, dao -> dao.find(tenantId, siteId));
    }

    public List<Site> page(String tenantId, String after, int limit) {
        return jdbi.withExtension(SiteDao.class, dao -> dao.page(tenantId, after == null ? "" : after, limit));
    }

    /**
     * Reads the tenant's version, then its sites: a change committed between the two is held under the older version
     * and read again at the next refresh, never missed.
     */
    void reload(String tenantId) {
        jdbi.useHandle(h -> {
            SiteDao dao = h.attach(SiteDao.class);
            long version = dao.version(tenantId).orElse(0L);
            index.replace(tenantId, version, dao.all(tenantId));
        });
    }

    /** Reloads every tenant whose stored version is ahead of the one held here. */
    void refresh() {
        List<SiteDao.TenantVersion> versions = jdbi.withExtension(SiteDao.class, SiteDao::versions);
        for (SiteDao.TenantVersion v : versions) {
            if (v.version() > index.version(v.tenantId())) {
                reload(v.tenantId());
            }
        }
    }

    @Override
    public void start() {
        long started = System.nanoTime();
        refresh();
        LOG.info("{} sites loaded in {} ms", index.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        long every = Math.max(100, refresh.toMillis());
        refreshing = timers.scheduleWithFixedDelay(() -> {
            try {
                refresh();
            } catch (RuntimeException e) {
                LOG.warn("sites not refreshed: {}", e.toString()); // the next round tries again
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (refreshing != null) {
            refreshing.cancel(false);
        }
    }

    private static String dataText(JsonNode data) {
        if (data == null || data.isNull()) {
            return null;
        }
        String text = data.toString();
        if (text.length() > MAX_DATA_CHARS) {
            throw ApiException.invalid("data", "data must be at most " + MAX_DATA_CHARS + " characters of JSON");
        }
        return text;
    }
}
