package com.salesmate.realtime.persistence;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@link SalesmanBinderContract} on a real SQLite file (WAL mode) in a temporary folder. */
class SqliteSalesmanBinderTest extends SalesmanBinderContract {
    @TempDir
    static Path dir;

    @Override
    protected String databaseUrl() {
        return "jdbc:sqlite:" + dir.resolve("binder.db");
    }
}
