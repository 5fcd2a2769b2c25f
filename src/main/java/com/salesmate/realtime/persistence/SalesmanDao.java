package com.salesmate.realtime.persistence;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.util.List;
import java.util.Optional;

/** Salesmen's last-seen times, so status survives restarts. */
@RegisterConstructorMapper(SalesmanRow.class)
public interface SalesmanDao {

    /**
     * Records many sightings in one statement batch; last_seen only moves forward. A salesman id stays bound to the
     * tenant it was first seen in: a sighting under another tenant changes nothing.
     */
    @SqlBatch("""
            INSERT INTO salesmen (salesman_id, tenant_id, first_seen, last_seen)
            VALUES (:salesmanId, :tenantId, :lastSeen, :lastSeen)
            ON CONFLICT (salesman_id) DO UPDATE SET
                last_seen = CASE WHEN excluded.last_seen > salesmen.last_seen
                                 THEN excluded.last_seen ELSE salesmen.last_seen END
            WHERE salesmen.tenant_id = excluded.tenant_id
            """)
    void seenAll(@BindMethods List<SalesmanRow> sightings);

    /** Binds a salesman id to a tenant if it is bound to none yet; an existing binding is kept. */
    @SqlUpdate("""
            INSERT INTO salesmen (salesman_id, tenant_id, first_seen, last_seen)
            VALUES (:salesmanId, :tenantId, :at, :at)
            ON CONFLICT (salesman_id) DO NOTHING
            """)
    void claim(@Bind("tenantId") String tenantId, @Bind("salesmanId") String salesmanId, @Bind("at") long at);

    /** Bindings, for warming the cache at start: at most {@code limit}, the most recently seen first. */
    @SqlQuery("SELECT salesman_id, tenant_id, first_seen, last_seen FROM salesmen ORDER BY last_seen DESC LIMIT :limit")
    List<SalesmanRow> recent(@Bind("limit") int limit);

    /** One sighting, through the same statement as the recorder's batches. */
    default void seen(String tenantId, String salesmanId, long at) {
        seenAll(List.of(new SalesmanRow(salesmanId, tenantId, at, at)));
    }

    @SqlQuery("SELECT salesman_id, tenant_id, first_seen, last_seen FROM salesmen WHERE salesman_id = :salesmanId")
    Optional<SalesmanRow> find(@Bind("salesmanId") String salesmanId);
}
