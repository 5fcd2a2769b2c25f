package com.salesmate.realtime.persistence;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.util.Optional;

/** Salesmen's last-seen times, so status survives restarts. */
@RegisterConstructorMapper(SalesmanRow.class)
public interface SalesmanDao {

    @SqlUpdate("""
            INSERT INTO salesmen (salesman_id, tenant_id, first_seen, last_seen)
            VALUES (:salesmanId, :tenantId, :at, :at)
            ON CONFLICT (salesman_id) DO UPDATE SET last_seen = excluded.last_seen, tenant_id = excluded.tenant_id
            """)
    void seen(@Bind("tenantId") String tenantId, @Bind("salesmanId") String salesmanId, @Bind("at") long at);

    @SqlQuery("SELECT salesman_id, tenant_id, first_seen, last_seen FROM salesmen WHERE salesman_id = :salesmanId")
    Optional<SalesmanRow> find(@Bind("salesmanId") String salesmanId);
}
