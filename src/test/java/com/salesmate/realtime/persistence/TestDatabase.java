package com.salesmate.realtime.persistence;

import com.codahale.metrics.health.HealthCheck;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jdbi3.JdbiFactory;
import org.jdbi.v3.core.Jdbi;

import java.util.Map;

/**
 * A migrated database built the way the service builds it: the project's {@link DatabaseFactory} (read from the same
 * properties as config.yml's {@code database} block), Flyway {@link Migrations}, and Dropwizard's {@link JdbiFactory}
 * with its {@code database} health check.
 */
final class TestDatabase implements AutoCloseable {
    static final String HEALTH_CHECK = "database";

    final DatabaseFactory factory;
    final Environment environment = new Environment("storage-test");
    final ManagedDataSource dataSource;
    final Jdbi jdbi;

    private TestDatabase(DatabaseFactory factory) throws Exception {
        this.factory = factory;
        factory.prepare();
        new Migrations(factory).migrate();
        var pool = factory.dataSourceFactory();
        this.dataSource = pool.build(environment.metrics(), HEALTH_CHECK);
        this.dataSource.start();
        this.jdbi = new JdbiFactory().build(environment, pool, dataSource, HEALTH_CHECK);
    }

    /** Migrates the database at {@code url} and opens a pool on it. */
    static TestDatabase open(String url) throws Exception {
        return new TestDatabase(factory(url));
    }

    /** The project's factory as config.yml would configure it for {@code url}. */
    static DatabaseFactory factory(String url) {
        return Jackson.newObjectMapper().convertValue(
                Map.of("url", url, "migrateOnStart", false, "sqliteSynchronous", "NORMAL"), DatabaseFactory.class);
    }

    boolean isSqlite() {
        return factory.isSqlite();
    }

    /** Removes every row, so each test starts from an empty schema. */
    void clear() {
        jdbi.useHandle(h -> {
            h.execute("DELETE FROM locations");
            h.execute("DELETE FROM salesmen");
            h.execute("DELETE FROM notifications");
            h.execute("DELETE FROM sites");
            h.execute("DELETE FROM site_versions");
        });
    }

    HealthCheck.Result health() {
        return environment.healthChecks().runHealthCheck(HEALTH_CHECK);
    }

    @Override
    public void close() throws Exception {
        dataSource.stop();
    }
}
