package com.salesmate.realtime.persistence;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@link DaoContract} on a real SQLite file (WAL mode) in a temporary folder. */
class SqliteDaoTest extends DaoContract {
    @TempDir
    static Path dir;

    @Override
    protected String databaseUrl() {
        return "jdbc:sqlite:" + dir.resolve("dao.db");
    }
}
