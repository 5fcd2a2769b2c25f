package com.salesmate.realtime.persistence;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.util.List;
import java.util.Optional;

/** Durable notifications. */
@RegisterConstructorMapper(NotificationRow.class)
public interface NotificationDao {

    @SqlUpdate("""
            INSERT INTO notifications (id, tenant_id, salesman_id, title, message, type, data, created_at, expires_at, acked_at)
            VALUES (:id, :tenantId, :salesmanId, :title, :message, :type, :data, :createdAt, :expiresAt, :ackedAt)
            """)
    void insert(@BindMethods NotificationRow row);

    /** Not yet acknowledged and not expired, oldest first. */
    @SqlQuery("""
            SELECT id, tenant_id, salesman_id, title, message, type, data, created_at, expires_at, acked_at
            FROM notifications
            WHERE salesman_id = :salesmanId AND tenant_id = :tenantId AND acked_at IS NULL AND expires_at > :now
            ORDER BY created_at
            LIMIT :limit
            """)
    List<NotificationRow> pending(@Bind("tenantId") String tenantId, @Bind("salesmanId") String salesmanId,
                                  @Bind("now") long now, @Bind("limit") int limit);

    /** Salesmen with at least one notification not yet acknowledged and not expired. */
    @SqlQuery("SELECT DISTINCT salesman_id FROM notifications WHERE acked_at IS NULL AND expires_at > :now")
    List<String> salesmenWithPending(@Bind("now") long now);

    /** Notifications not yet acknowledged and not expired, of every tenant. */
    @SqlQuery("SELECT COUNT(*) FROM notifications WHERE acked_at IS NULL AND expires_at > :now")
    long countPending(@Bind("now") long now);

    @SqlQuery("""
            SELECT id, tenant_id, salesman_id, title, message, type, data, created_at, expires_at, acked_at
            FROM notifications WHERE id = :id
            """)
    Optional<NotificationRow> find(@Bind("id") String id);

    /** Marks it acknowledged if it belongs to this salesman; 1 when it did (acked now or before), else 0. */
    @SqlUpdate("""
            UPDATE notifications SET acked_at = COALESCE(acked_at, :now)
            WHERE id = :id AND tenant_id = :tenantId AND salesman_id = :salesmanId
            """)
    int ack(@Bind("id") String id, @Bind("tenantId") String tenantId, @Bind("salesmanId") String salesmanId,
            @Bind("now") long now);

    @SqlUpdate("DELETE FROM notifications WHERE expires_at <= :now")
    int purgeExpired(@Bind("now") long now);
}
