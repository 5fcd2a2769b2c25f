package com.salesmate.realtime.persistence;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@link SitesContract} on a real SQLite file. */
class SqliteSitesTest extends SitesContract {
    @TempDir
    static Path dir;

    @Override
    protected String databaseUrl() {
        return "jdbc:sqlite:" + dir.resolve("sites.db");
    }
}
