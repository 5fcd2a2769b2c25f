package com.salesmate.realtime.tenancy;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.SioClient;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link SalesmanBindingContract} on PostgreSQL, and a race only PostgreSQL lets a test see: a bind waiting for a row
 * lock shows in {@code pg_stat_activity}.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class PostgresSalesmanBindingTest extends SalesmanBindingContract {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();
    static final TestApp APP = TestApp.withDatabase(PG.url(), SalesmanBindingContract.AUTH_TIMEOUT);
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    @Override
    TestApp app() {
        return APP;
    }

    @Override
    java.sql.Connection directConnection() throws Exception {
        return PG.connection();
    }

    /**
     * The {@code authenticate} event binds a new salesman in a transaction of its own; an operator who revokes him
     * while that transaction waits runs the disconnect task, which finds no socket of his to close (it is not admitted
     * yet). The socket must still be refused once its bind is done, not let in with a revoked identity.
     */
    @Test
    @Timeout(60)
    void aSalesmanRevokedWhileHisAuthenticateEventBindsIsRefusedOnceTheBindIsDone() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 6);
        String tenant = "revoke-event-" + run;
        String kept = "kept-" + run;
        String revoked = "revoked-" + run;
        try (java.sql.Connection blocker = PG.connection();
             java.sql.Connection observer = PG.connection(); // autocommit: a fresh view of the sessions each query
             SioClient keptPhone = SioClient.anonymous(APP.socketUrl());
             SioClient revokedPhone = SioClient.anonymous(APP.socketUrl())) {
            keptPhone.awaitConnected();
            revokedPhone.awaitConnected();
            // uncommitted claims of both ids: each bind's INSERT waits for this transaction's row
            blocker.setAutoCommit(false);
            try (java.sql.PreparedStatement claim = blocker.prepareStatement(
                    "INSERT INTO salesmen (salesman_id, tenant_id, first_seen, last_seen) VALUES (?, ?, 1, 1)")) {
                for (String id : List.of(kept, revoked)) {
                    claim.setString(1, id);
                    claim.setString(2, tenant);
                    claim.executeUpdate();
                }
            }
            CompletableFuture<JSONObject> keptAck = keptPhone.emitAsync("authenticate",
                    new JSONObject().put("token", APP.salesmanToken(tenant, kept)));
            CompletableFuture<JSONObject> revokedAck = revokedPhone.emitAsync("authenticate",
                    new JSONObject().put("token", APP.salesmanToken(tenant, revoked)));
            await().atMost(Duration.ofSeconds(20)).until(() -> waitingForLocks(observer) >= 2);

            var task = APP.disconnectTask("salesmanId=" + revoked + "&revokeFor=1h");
            assertThat(task.statusCode()).as(task.body()).isEqualTo(200);
            assertThat(task.body()).as("nothing to close yet: the socket is not admitted").contains("disconnected 0");
            blocker.rollback();

            JSONObject refused = revokedAck.get(20, TimeUnit.SECONDS);
            assertThat(refused.getBoolean("success")).as(refused.toString()).isFalse();
            assertThat(refused.getJSONObject("error").getString("code")).isEqualTo("invalid_token");
            assertThat(refused.getJSONObject("error").getString("message")).startsWith("access revoked until");
            revokedPhone.awaitDisconnected();
            // the positive control: the one not revoked, bound the same way, is in
            JSONObject admitted = keptAck.get(20, TimeUnit.SECONDS);
            assertThat(admitted.optBoolean("success", true)).as(admitted.toString()).isTrue();
            assertThat(admitted.getString("salesmanId")).isEqualTo(kept);
            assertThat(keptPhone.isConnected()).isTrue();
        }
    }

    private static int waitingForLocks(java.sql.Connection observer) throws Exception {
        try (var query = observer.createStatement().executeQuery("SELECT count(*) FROM pg_stat_activity "
                + "WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
            query.next();
            return query.getInt(1);
        }
    }
}
