package com.salesmate.realtime.tenancy;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.Postgres;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SalesmanBindingContract} on PostgreSQL. */
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
}
