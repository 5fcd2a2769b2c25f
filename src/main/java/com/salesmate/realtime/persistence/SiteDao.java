package com.salesmate.realtime.persistence;

import com.salesmate.realtime.core.Site;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.util.List;
import java.util.Optional;

/** Customer sites and the per-tenant version every change bumps. Portable between SQLite and PostgreSQL. */
@RegisterConstructorMapper(Site.class)
public interface SiteDao {
    String COLUMNS = "tenant_id, site_id, name, latitude, longitude, radius, dwell_seconds, customer_id, data, updated_at";

    /** Creates or replaces; 1 when a row was written. */
    @SqlUpdate("""
            INSERT INTO sites (tenant_id, site_id, name, latitude, longitude, radius, dwell_seconds, customer_id, data,
                               updated_at)
            VALUES (:tenantId, :siteId, :name, :latitude, :longitude, :radius, :dwellSeconds, :customerId, :data,
                    :updatedAt)
            ON CONFLICT (tenant_id, site_id) DO UPDATE SET
                name = excluded.name, latitude = excluded.latitude, longitude = excluded.longitude,
                radius = excluded.radius, dwell_seconds = excluded.dwell_seconds, customer_id = excluded.customer_id,
                data = excluded.data, updated_at = excluded.updated_at
            """)
    int upsert(@BindMethods Site site);

    @SqlUpdate("DELETE FROM sites WHERE tenant_id = :tenantId AND site_id = :siteId")
    int delete(@Bind("tenantId") String tenantId, @Bind("siteId") String siteId);

    @SqlQuery("SELECT " + COLUMNS + " FROM sites WHERE tenant_id = :tenantId AND site_id = :siteId")
    Optional<Site> find(@Bind("tenantId") String tenantId, @Bind("siteId") String siteId);

    /** A page of a tenant's sites in id order, after {@code after} (empty string: from the first). */
    @SqlQuery("SELECT " + COLUMNS + """
             FROM sites WHERE tenant_id = :tenantId AND site_id > :after ORDER BY site_id LIMIT :limit
            """)
    List<Site> page(@Bind("tenantId") String tenantId, @Bind("after") String after, @Bind("limit") int limit);

    @SqlQuery("SELECT " + COLUMNS + " FROM sites WHERE tenant_id = :tenantId")
    List<Site> all(@Bind("tenantId") String tenantId);

    @SqlQuery("SELECT COUNT(*) FROM sites WHERE tenant_id = :tenantId")
    int count(@Bind("tenantId") String tenantId);

    /** Bumps the tenant's version (taking its row lock until the transaction ends: changes of one tenant serialise). */
    @SqlUpdate("""
            INSERT INTO site_versions (tenant_id, version) VALUES (:tenantId, 1)
            ON CONFLICT (tenant_id) DO UPDATE SET version = site_versions.version + 1
            """)
    void bump(@Bind("tenantId") String tenantId);

    @SqlQuery("SELECT version FROM site_versions WHERE tenant_id = :tenantId")
    Optional<Long> version(@Bind("tenantId") String tenantId);

    /** Every tenant's version: what a node compares with the versions it holds. */
    @SqlQuery("SELECT tenant_id, version FROM site_versions")
    @RegisterConstructorMapper(TenantVersion.class)
    List<TenantVersion> versions();

    /** One row of {@code site_versions}. */
    record TenantVersion(String tenantId, long version) {
    }
}
