package com.salesmate.realtime.cli;

import com.salesmate.realtime.RealtimeConfiguration;
import com.salesmate.realtime.persistence.DatabaseFactory;
import com.salesmate.realtime.persistence.Migrations;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.flywaydb.core.api.MigrationInfo;

/** {@code db migrate|info|validate}: the schema migrations in {@code migrations/}, run by Flyway. */
public class DbCommand extends ConfiguredCommand<RealtimeConfiguration> {

    public DbCommand() {
        super("db", "Database migrations: migrate, info, validate");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("action").choices("migrate", "info", "validate").help("what to do");
        super.configure(subparser);
    }

    @Override
    protected void run(Bootstrap<RealtimeConfiguration> bootstrap, Namespace namespace, RealtimeConfiguration config) {
        DatabaseFactory database = config.getDatabase();
        database.prepare();
        Migrations migrations = new Migrations(database);
        switch (namespace.getString("action")) {
            case "migrate" -> {
                var result = migrations.migrate();
                System.out.printf("applied %d migrations; schema now at version %s%n",
                        result.migrationsExecuted, result.targetSchemaVersion);
            }
            case "validate" -> {
                migrations.validate();
                System.out.println("applied migrations match the files");
            }
            default -> {
                for (MigrationInfo info : migrations.info()) {
                    System.out.printf("%-6s %-40s %s%n", info.getVersion(), info.getDescription(), info.getState());
                }
            }
        }
    }
}
