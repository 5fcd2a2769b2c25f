package com.salesmate.realtime.persistence;

import com.salesmate.realtime.support.Postgres;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The writer's contract on PostgreSQL with the driver's {@code reWriteBatchedInserts=true} (a common production
 * setting): the driver then answers every row of a batch {@code SUCCESS_NO_INFO} (-2), which must not be taken for a
 * duplicate (every new point was acked {@code duplicate: true} and never broadcast), while real retries still are.
 */
class PostgresRewrittenBatchLocationWriterTest extends LocationWriterContract {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();

    @Override
    protected String databaseUrl() {
        return PG.url() + (PG.url().contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    }
}
