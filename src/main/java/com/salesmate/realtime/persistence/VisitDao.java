package com.salesmate.realtime.persistence;

import com.salesmate.realtime.core.Visit;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.util.Collection;
import java.util.List;

/** Stored visits (SPEC 10). Portable between SQLite and PostgreSQL. */
@RegisterConstructorMapper(Visit.class)
public interface VisitDao {
    String COLUMNS = """
            visit_id, tenant_id, salesman_id, site_id, site_latitude, site_longitude, radius, dwell_seconds, arrived_at,
            latitude, longitude, accuracy, checked_in_at, left_at, checked_out_at, outside_since, last_at""";

    /** The open visits of these salesmen. */
    @SqlQuery("SELECT " + COLUMNS + " FROM visits WHERE checked_out_at IS NULL AND salesman_id IN (<salesmen>)")
    List<Visit> open(@BindList("salesmen") Collection<String> salesmen);

    /** Stores a visit as it is now: new, or moved on (only the state columns change, and never backwards). */
    @SqlUpdate("""
            INSERT INTO visits (visit_id, tenant_id, salesman_id, site_id, site_latitude, site_longitude, radius,
                                dwell_seconds, arrived_at, latitude, longitude, accuracy, checked_in_at, left_at,
                                checked_out_at, outside_since, last_at)
            VALUES (:visitId, :tenantId, :salesmanId, :siteId, :siteLatitude, :siteLongitude, :radius, :dwellSeconds,
                    :arrivedAt, :latitude, :longitude, :accuracy, :checkedInAt, :leftAt, :checkedOutAt,
                    :outsideSince, :lastAt)
            ON CONFLICT (visit_id) DO UPDATE SET
                checked_in_at = excluded.checked_in_at, left_at = excluded.left_at,
                checked_out_at = excluded.checked_out_at, outside_since = excluded.outside_since,
                last_at = excluded.last_at
            WHERE visits.last_at <= excluded.last_at
            """)
    void store(@BindMethods Visit visit);

    /** A salesman's visits that arrived in [from, to], oldest first. */
    @SqlQuery("SELECT " + COLUMNS + """
             FROM visits WHERE salesman_id = :salesmanId AND tenant_id = :tenantId
               AND arrived_at >= :from AND arrived_at <= :to
             ORDER BY arrived_at LIMIT :limit
            """)
    List<Visit> ofSalesman(@Bind("tenantId") String tenantId, @Bind("salesmanId") String salesmanId,
                           @Bind("from") long from, @Bind("to") long to, @Bind("limit") int limit);

    /** A site's visits that arrived in [from, to], oldest first. */
    @SqlQuery("SELECT " + COLUMNS + """
             FROM visits WHERE tenant_id = :tenantId AND site_id = :siteId
               AND arrived_at >= :from AND arrived_at <= :to
             ORDER BY arrived_at LIMIT :limit
            """)
    List<Visit> ofSite(@Bind("tenantId") String tenantId, @Bind("siteId") String siteId, @Bind("from") long from,
                       @Bind("to") long to, @Bind("limit") int limit);
}
