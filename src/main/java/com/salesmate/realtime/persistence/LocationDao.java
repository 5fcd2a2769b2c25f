package com.salesmate.realtime.persistence;

import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Optional;

/** Stored locations. SQL is portable between SQLite (3.24+) and PostgreSQL. */
@RegisterConstructorMapper(LocationRow.class)
public interface LocationDao extends SqlObject {

    String INSERT = """
            INSERT INTO locations (id, tenant_id, salesman_id, latitude, longitude, accuracy, speed, heading,
                                   altitude, battery, recorded_at, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (salesman_id, recorded_at) DO NOTHING
            """;

    /**
     * Inserts each row unless its (salesman, timestamp) is stored already; 1 per new row, 0 per duplicate.
     * Plain JDBC batch on the handle's connection: this is the location writer's hot path, and binding each row
     * through Jdbi's reflective argument finders cost more CPU than the database itself.
     */
    default int[] insertAll(List<LocationRow> rows) {
        return insertAll(getHandle().getConnection(), rows);
    }

    /** As {@link #insertAll(List)} on a connection (the writer calls it without attaching a DAO per batch). */
    static int[] insertAll(Connection connection, List<LocationRow> rows) {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (LocationRow row : rows) {
                insert.setLong(1, row.id());
                insert.setString(2, row.tenantId());
                insert.setString(3, row.salesmanId());
                insert.setDouble(4, row.latitude());
                insert.setDouble(5, row.longitude());
                setNullable(insert, 6, row.accuracy());
                setNullable(insert, 7, row.speed());
                setNullable(insert, 8, row.heading());
                setNullable(insert, 9, row.altitude());
                setNullable(insert, 10, row.battery());
                insert.setLong(11, row.recordedAt());
                insert.setLong(12, row.receivedAt());
                insert.addBatch();
            }
            return insert.executeBatch();
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException(e, null);
        }
    }

    private static void setNullable(PreparedStatement statement, int index, Double value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.DOUBLE);
        } else {
            statement.setDouble(index, value);
        }
    }

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

    /** The latest location of each of the salesmen (those with none are absent), in one statement. */
    @SqlQuery("""
            SELECT l.id, l.tenant_id, l.salesman_id, l.latitude, l.longitude, l.accuracy, l.speed, l.heading,
                   l.altitude, l.battery, l.recorded_at, l.received_at
            FROM locations l
            JOIN (SELECT salesman_id, MAX(recorded_at) AS recorded_at
                  FROM locations
                  WHERE tenant_id = :tenantId AND salesman_id IN (<salesmanIds>)
                  GROUP BY salesman_id) newest
              ON l.salesman_id = newest.salesman_id AND l.recorded_at = newest.recorded_at
            WHERE l.tenant_id = :tenantId
            """)
    List<LocationRow> latestOf(@Bind("tenantId") String tenantId,
                               @org.jdbi.v3.sqlobject.customizer.BindList("salesmanIds") List<String> salesmanIds);

    @SqlQuery("SELECT COUNT(*) FROM locations")
    long count();
}
