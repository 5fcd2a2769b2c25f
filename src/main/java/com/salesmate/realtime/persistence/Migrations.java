package com.salesmate.realtime.persistence;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;


/** Runs the ordered SQL series in {@code migrations/} (packaged as {@code db/migration}) with Flyway. */
public final class Migrations {
    public static final String LOCATION = "classpath:db/migration";

    private final Flyway flyway;

    public Migrations(DatabaseFactory database) {
        this.flyway = Flyway.configure()
                .dataSource(database.getUrl(), emptyToNull(database.getUser()), emptyToNull(database.getPassword()))
                .jdbcProperties(database.properties())
                .locations(LOCATION)
                .load();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    public MigrateResult migrate() {
        return flyway.migrate();
    }

    public MigrationInfo[] info() {
        return flyway.info().all();
    }

    public void validate() {
        flyway.validate();
    }
}
