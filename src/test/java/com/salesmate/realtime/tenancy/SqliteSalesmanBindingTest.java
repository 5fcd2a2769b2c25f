package com.salesmate.realtime.tenancy;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link SalesmanBindingContract} on the embedded default (SQLite). */
@ExtendWith(DropwizardExtensionsSupport.class)
class SqliteSalesmanBindingTest extends SalesmanBindingContract {
    static final TestApp APP = TestApp.create(SalesmanBindingContract.AUTH_TIMEOUT);
    static final DropwizardAppExtension<RealtimeConfiguration> EXT = APP.extension();

    @Override
    TestApp app() {
        return APP;
    }

    @Override
    java.sql.Connection directConnection() throws Exception {
        return java.sql.DriverManager.getConnection("jdbc:sqlite:" + APP.sqliteFile());
    }
}
