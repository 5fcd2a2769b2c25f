package com.salesmate.realtime.visits;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.salesmate.realtime.api.VisitEvent;
import com.salesmate.realtime.core.Rooms;
import com.salesmate.realtime.core.Visit;
import com.salesmate.realtime.hub.Publisher;
import com.salesmate.realtime.persistence.LocationRow;
import com.salesmate.realtime.persistence.LocationWriter;
import com.salesmate.realtime.persistence.VisitDao;
import com.salesmate.realtime.webhooks.Webhooks;
import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Visit detection on every stored point (live and batched): run by the location writer in the transaction that stores
 * the points, on the points it stored now — a replayed batch (all duplicates) decides nothing, and the open visits are
 * read from and written to the database there, so any node goes on from where another left off. The events go out
 * once the points are acknowledged, to the tenant's managers and to the salesman's room.
 */
public final class VisitRecorder implements LocationWriter.Extension {
    public static final String METRIC_PREFIX = "visits.events.";

    private final SiteIndex sites;
    private final Publisher publisher;
    private final Webhooks webhooks;
    private final Map<String, Meter> meters = new LinkedHashMap<>();

    public VisitRecorder(SiteIndex sites, Publisher publisher, Webhooks webhooks, MetricRegistry metrics) {
        this.sites = sites;
        this.publisher = publisher;
        this.webhooks = webhooks;
        for (String event : List.of(VisitDetector.ARRIVED, VisitDetector.CHECKED_IN, VisitDetector.CHECKED_OUT)) {
            meters.put(event, metrics.meter(METRIC_PREFIX + event.substring("visit:".length())));
        }
    }

    @Override
    public Runnable stored(Handle handle, List<LocationRow> fresh) {
        Map<String, List<LocationRow>> bySalesman = new java.util.TreeMap<>(); // sorted: the locks' order
        for (LocationRow row : fresh) {
            if (sites.size(row.tenantId()) > 0) { // a tenant without sites has no visits to detect
                bySalesman.computeIfAbsent(row.salesmanId(), s -> new ArrayList<>()).add(row);
            }
        }
        if (bySalesman.isEmpty()) {
            return null;
        }
        lockSalesmen(handle, bySalesman.keySet());
        VisitDao dao = handle.attach(VisitDao.class);
        Map<String, List<Visit>> open = new LinkedHashMap<>();
        for (Visit v : dao.open(bySalesman.keySet())) {
            open.computeIfAbsent(v.salesmanId(), s -> new ArrayList<>()).add(v);
        }
        List<VisitDetector.Decision> decisions = new ArrayList<>();
        bySalesman.forEach((salesmanId, all) -> {
            String tenantId = all.get(0).tenantId(); // a salesman id is bound to one tenant: never mix two
            List<LocationRow> rows = all.stream().filter(r -> r.tenantId().equals(tenantId)).toList();
            List<VisitDetector.Fix> points = rows.stream()
                    .sorted(Comparator.comparingLong(LocationRow::recordedAt))
                    .map(r -> new VisitDetector.Fix(r.recordedAt(), r.latitude(), r.longitude(), r.accuracy()))
                    .toList();
            List<Visit> his = open.getOrDefault(salesmanId, List.of()).stream()
                    .filter(v -> v.tenantId().equals(tenantId))
                    .toList();
            VisitDetector.Outcome outcome = VisitDetector.advance(tenantId, salesmanId, his, points, sites);
            outcome.changed().values().forEach(dao::store);
            decisions.addAll(outcome.decisions());
        });
        for (VisitDetector.Decision d : decisions) { // the webhooks' outbox, in this same transaction
            webhooks.report(handle, d.visit().tenantId(), webhookType(d.event()), payload(d), d.point().at(),
                    d.visit().visitId() + '\n' + d.event());
        }
        return decisions.isEmpty() ? null : () -> decisions.forEach(this::publish);
    }

    /**
     * On PostgreSQL, where two nodes may store points of one salesman at once (a phone that moved while its old node
     * still had some queued), the salesmen of this batch are locked for the transaction, in id order, before their
     * open visits are read: one node at a time moves a salesman's visits on. SQLite has one writer already.
     */
    private static void lockSalesmen(Handle handle, java.util.Collection<String> salesmen) {
        boolean postgres;
        try {
            postgres = handle.getConnection().getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT)
                    .contains("postgres");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("database metadata unavailable", e);
        }
        if (!postgres) {
            return;
        }
        for (String salesmanId : salesmen) {
            handle.createQuery("SELECT 1 FROM pg_advisory_xact_lock(hashtext(:s))").bind("s", "visits:" + salesmanId)
                    .mapTo(Integer.class).one(); // the function returns void: one row of 1, once the lock is held
        }
    }

    /** {@code visit:checked_in} is reported to webhooks as {@code visit.checked_in}. */
    static String webhookType(String event) {
        return event.replace(':', '.');
    }

    private static VisitEvent payload(VisitDetector.Decision d) {
        Visit v = d.visit();
        boolean out = VisitDetector.CHECKED_OUT.equals(d.event());
        return new VisitEvent(v.tenantId(), v.salesmanId(), v.siteId(), v.visitId(), d.point().at(),
                d.point().latitude(), d.point().longitude(), d.point().accuracy(), out ? v.duration() : null,
                out ? v.checkedInAt() != null : null);
    }

    private void publish(VisitDetector.Decision d) {
        Visit v = d.visit();
        VisitEvent payload = payload(d);
        publisher.toRooms(v.tenantId(),
                List.of(Rooms.managers(v.tenantId()), Rooms.salesman(v.tenantId(), v.salesmanId())), d.event(), payload);
        meters.get(d.event()).mark();
    }
}
