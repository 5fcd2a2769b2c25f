package com.salesmate.realtime.persistence;

/**
 * A database failure as the log may show it: the exception's kind and SQLState, never its message. Jdbi's messages
 * carry the statement and its bound arguments (notification texts, positions), and drivers' messages may quote key
 * values; none of that belongs in a log line.
 */
public final class DatabaseErrors {
    private DatabaseErrors() {
    }

    /** True when {@code e} came from the database or its driver (a refused or lost connection, a timeout, a statement). */
    public static boolean fromDatabase(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.jdbi.v3.core.JdbiException || t instanceof java.sql.SQLException) {
                return true;
            }
        }
        return false;
    }

    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql) {
                return sql.getClass().getSimpleName() + " (SQLState " + sql.getSQLState() + ")";
            }
        }
        return e.getClass().getSimpleName();
    }
}
