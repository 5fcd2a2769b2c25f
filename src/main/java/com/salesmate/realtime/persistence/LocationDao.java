package com.salesmate.realtime.persistence;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

import java.util.List;
import java.util.Optional;

/** Stored locations. SQL is portable between SQLite (3.24+) and PostgreSQL. */
@RegisterConstructorMapper(LocationRow.class)
public interface LocationDao {

    /** Inserts each row unless its (salesman, timestamp) is stored already; 1 per new row, 0 per duplicate. */
    @SqlBatch("""
            INSERT INTO locations (id, tenant_id, salesman_id, latitude, longitude, accuracy, speed, heading,
                                   altitude, battery, recorded_at, received_at)
            VALUES (:id, :tenantId, :salesmanId, :latitude, :longitude, :accuracy, :speed, :heading,
                    :altitude, :battery, :recordedAt, :receivedAt)
            ON CONFLICT (salesman_id, recorded_at) DO NOTHING
            """)
    int[] insertAll(@BindMethods List<LocationRow> rows);

    @SqlQuery("SELECT id, tenant_id, salesman_id, latitude, longitude, accuracy, speed, heading, altitude, battery,"
            + " recorded_at, received_at FROM locations WHERE salesman_id = :salesmanId AND recorded_at = :recordedAt")
    Optional<LocationRow> find(@Bind("salesmanId") String salesmanId, @Bind("recordedAt") long recordedAt);

    /** The trail of one salesman of one tenant, oldest first, {@code from <= timestamp <= to}. */
    @SqlQuery("""
            SELECT id, tenant_id, salesman_id, latitude, longitude, accuracy, speed, heading, altitude, battery,
                   recorded_at, received_at
            FROM locations
            WHERE salesman_id = :salesmanId AND tenant_id = :tenantId
              AND recorded_at >= :from AND recorded_at <= :to
            ORDER BY recorded_at
            LIMIT :limit
            """)
    List<LocationRow> trail(@Bind("tenantId") String tenantId, @Bind("salesmanId") String salesmanId,
                            @Bind("from") long from, @Bind("to") long to, @Bind("limit") int limit);

    @SqlQuery("""
            SELECT id, tenant_id, salesman_id, latitude, longitude, accuracy, speed, heading, altitude, battery,
                   recorded_at, received_at
            FROM locations
            WHERE salesman_id = :salesmanId AND tenant_id = :tenantId
            ORDER BY recorded_at DESC
            LIMIT 1
            """)
    Optional<LocationRow> latest(@Bind("tenantId") String tenantId, @Bind("salesmanId") String salesmanId);

    @SqlQuery("SELECT COUNT(*) FROM locations")
    long count();
}
