package com.salesmate.realtime.persistence;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/** Base of the storage contracts run on each engine: one migrated database per class, emptied before each test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DatabaseContract {
    private TestDatabase db;

    /** The JDBC URL of an empty database of the engine under test. */
    protected abstract String databaseUrl();

    protected TestDatabase db() throws Exception {
        if (db == null) {
            db = TestDatabase.open(databaseUrl());
        }
        return db;
    }

    @BeforeEach
    void emptyTables() throws Exception {
        db().clear();
    }

    @AfterAll
    void closePool() throws Exception {
        if (db != null) {
            db.close();
        }
    }
}
