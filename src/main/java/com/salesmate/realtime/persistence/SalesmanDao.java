package com.salesmate.realtime.persistence;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

import java.util.List;
import java.util.Optional;

/** Salesmen's last-seen times, so status survives restarts. */
@RegisterConstructorMapper(SalesmanRow.class)
public interface SalesmanDao {

    /** Records many sightings in one statement batch; last_seen only moves forward. */
    @SqlBatch("""
            INSERT INTO salesmen (salesman_id, tenant_id, first_seen, last_seen)
            VALUES (:salesmanId, :tenantId, :lastSeen, :lastSeen)
            ON CONFLICT (salesman_id) DO UPDATE SET
                tenant_id = excluded.tenant_id,
                last_seen = CASE WHEN excluded.last_seen > salesmen.last_seen
                                 THEN excluded.last_seen ELSE salesmen.last_seen END
            """)
    void seenAll(@BindMethods List<SalesmanRow> sightings);

    /** One sighting, through the same statement as the recorder's batches. */
    default void seen(String tenantId, String salesmanId, long at) {
        seenAll(List.of(new SalesmanRow(salesmanId, tenantId, at, at)));
    }

    @SqlQuery("SELECT salesman_id, tenant_id, first_seen, last_seen FROM salesmen WHERE salesman_id = :salesmanId")
    Optional<SalesmanRow> find(@Bind("salesmanId") String salesmanId);
}
