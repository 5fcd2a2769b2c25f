package com.salesmate.realtime.persistence;

import com.salesmate.realtime.support.Postgres;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SalesmanBinderContract} on a throwaway database of the real PostgreSQL server. */
class PostgresSalesmanBinderTest extends SalesmanBinderContract {
    @RegisterExtension
    static final Postgres PG = Postgres.throwaway();

    @Override
    protected String databaseUrl() {
        return PG.url();
    }
}
