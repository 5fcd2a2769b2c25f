package com.salesmate.realtime.persistence;

import com.salesmate.realtime.core.Webhook;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

import java.util.List;
import java.util.Optional;

/** Webhook endpoints, their outbox and their delivery log. Portable between SQLite and PostgreSQL. */
@RegisterConstructorMapper(Webhook.class)
public interface WebhookDao {
    String ENDPOINT = "tenant_id, webhook_id, url, events, secret, created_at, updated_at, disabled_at, disabled_reason";
    String MESSAGE = """
            id, tenant_id, webhook_id, message_id, type, body, created_at, state, attempts, next_attempt_at""";
    String DELIVERY = "id, tenant_id, webhook_id, message_id, type, attempt, at, status, error, duration_ms, outcome";

    /** A message to one endpoint as the outbox holds it. */
    record Message(long id, String tenantId, String webhookId, String messageId, String type, String body,
                   long createdAt, String state, int attempts, long nextAttemptAt) {
    }

    /** One delivery attempt. {@code outcome}: delivered, retry, failed (given up) or disabled (410). */
    record Delivery(long id, String tenantId, String webhookId, String messageId, String type, int attempt, long at,
                    Integer status, String error, long durationMs, String outcome) {
    }

    /** Creates or replaces an endpoint; a replaced one is enabled again. */
    @SqlUpdate("""
            INSERT INTO webhooks (tenant_id, webhook_id, url, events, secret, created_at, updated_at)
            VALUES (:tenantId, :webhookId, :url, :events, :secret, :createdAt, :updatedAt)
            ON CONFLICT (tenant_id, webhook_id) DO UPDATE SET
                url = excluded.url, events = excluded.events, secret = excluded.secret,
                updated_at = excluded.updated_at, disabled_at = NULL, disabled_reason = NULL
            """)
    void upsert(@BindMethods Webhook webhook);

    @SqlQuery("SELECT " + ENDPOINT + " FROM webhooks WHERE tenant_id = :tenantId AND webhook_id = :webhookId")
    Optional<Webhook> find(@Bind("tenantId") String tenantId, @Bind("webhookId") String webhookId);

    @SqlQuery("SELECT " + ENDPOINT + " FROM webhooks WHERE tenant_id = :tenantId ORDER BY webhook_id")
    List<Webhook> ofTenant(@Bind("tenantId") String tenantId);

    @SqlQuery("SELECT " + ENDPOINT + " FROM webhooks WHERE disabled_at IS NULL")
    List<Webhook> enabled();

    @SqlUpdate("DELETE FROM webhooks WHERE tenant_id = :tenantId AND webhook_id = :webhookId")
    int delete(@Bind("tenantId") String tenantId, @Bind("webhookId") String webhookId);

    @SqlUpdate("""
            UPDATE webhooks SET disabled_at = :at, disabled_reason = :reason
            WHERE tenant_id = :tenantId AND webhook_id = :webhookId AND disabled_at IS NULL
            """)
    int disable(@Bind("tenantId") String tenantId, @Bind("webhookId") String webhookId, @Bind("at") long at,
                @Bind("reason") String reason);

    @SqlUpdate("""
            INSERT INTO webhook_outbox (id, tenant_id, webhook_id, message_id, type, body, created_at, state, attempts,
                                        next_attempt_at)
            VALUES (:id, :tenantId, :webhookId, :messageId, :type, :body, :createdAt, :state, :attempts,
                    :nextAttemptAt)
            """)
    void enqueue(@BindMethods Message message);

    /**
     * Leases up to {@code limit} due messages to {@code owner} until {@code leaseUntil}. The outer condition is checked
     * again on the row a concurrent node just leased (PostgreSQL re-reads it): one node per message.
     */
    @SqlUpdate("""
            UPDATE webhook_outbox SET lease_owner = :owner, lease_until = :leaseUntil
            WHERE state = 'pending' AND (lease_until IS NULL OR lease_until < :now) AND id IN (
                SELECT id FROM webhook_outbox
                WHERE state = 'pending' AND next_attempt_at <= :now AND (lease_until IS NULL OR lease_until < :now)
                ORDER BY next_attempt_at LIMIT :limit)
            """)
    int lease(@Bind("owner") String owner, @Bind("leaseUntil") long leaseUntil, @Bind("now") long now,
              @Bind("limit") int limit);

    @SqlQuery("SELECT " + MESSAGE + """
             FROM webhook_outbox WHERE lease_owner = :owner AND state = 'pending' ORDER BY next_attempt_at
            """)
    @RegisterConstructorMapper(Message.class)
    List<Message> leased(@Bind("owner") String owner);

    /**
     * The message's next state after an attempt, and the lease ends; only while {@code owner} still holds it (a lease
     * that ran out and was taken again is not overwritten by the late outcome). 1 when written.
     */
    @SqlUpdate("""
            UPDATE webhook_outbox SET state = :state, attempts = :attempts, next_attempt_at = :nextAttemptAt,
                                      lease_owner = NULL, lease_until = NULL
            WHERE id = :id AND lease_owner = :owner
            """)
    int attempted(@Bind("id") long id, @Bind("owner") String owner, @Bind("state") String state,
                  @Bind("attempts") int attempts, @Bind("nextAttemptAt") long nextAttemptAt);

    /** After a 410 or a delete: what was still to go to the endpoint never goes. */
    @SqlUpdate("""
            UPDATE webhook_outbox SET state = 'dropped', lease_owner = NULL, lease_until = NULL
            WHERE tenant_id = :tenantId AND webhook_id = :webhookId AND state = 'pending'
            """)
    int dropPending(@Bind("tenantId") String tenantId, @Bind("webhookId") String webhookId);

    @SqlUpdate("DELETE FROM webhook_outbox WHERE state <> 'pending' AND created_at < :cutoff")
    int purgeDone(@Bind("cutoff") long cutoff);

    @SqlUpdate("DELETE FROM webhook_deliveries WHERE at < :cutoff")
    int purgeLog(@Bind("cutoff") long cutoff);

    @SqlQuery("SELECT COUNT(*) FROM webhook_outbox WHERE state = 'pending'")
    long pending();

    /** Enabled endpoints with a message waiting for a retry: their last attempt at it failed. */
    @SqlQuery("""
            SELECT COUNT(*) FROM webhooks w
            WHERE w.disabled_at IS NULL AND EXISTS (
                SELECT 1 FROM webhook_outbox o
                WHERE o.tenant_id = w.tenant_id AND o.webhook_id = w.webhook_id AND o.state = 'pending'
                  AND o.attempts > 0)
            """)
    long countFailing();

    /** Endpoints disabled (a 410 answer). */
    @SqlQuery("SELECT COUNT(*) FROM webhooks WHERE disabled_at IS NOT NULL")
    long countDisabled();

    @SqlUpdate("INSERT INTO webhook_deliveries (" + DELIVERY + ") VALUES (:id, :tenantId, :webhookId, :messageId, "
            + ":type, :attempt, :at, :status, :error, :durationMs, :outcome)")
    void logged(@BindMethods Delivery delivery);

    @SqlQuery("SELECT " + DELIVERY + """
             FROM webhook_deliveries WHERE tenant_id = :tenantId AND webhook_id = :webhookId
             ORDER BY at DESC, id DESC LIMIT :limit
            """)
    @RegisterConstructorMapper(Delivery.class)
    List<Delivery> deliveries(@Bind("tenantId") String tenantId, @Bind("webhookId") String webhookId,
                              @Bind("limit") int limit);
}
