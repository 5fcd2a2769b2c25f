package com.salesmate.realtime.support;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A throwaway database per test class on the real PostgreSQL server at 127.0.0.1:5432 (user {@code postgres}, trust
 * auth). Declare it as {@code @RegisterExtension static final Postgres PG = Postgres.throwaway();} and hand
 * {@link #url()} to a {@code DatabaseFactory} or to {@code TestApp.withDatabase(PG.url())}.
 *
 * <p>The database is created when the field is initialised (an app-level test needs its URL before the app starts)
 * and dropped after the class, once every other extension has finished (the app and its pool are closed by then).
 * When the server is unreachable the class is skipped with a message, or fails when the environment variable
 * {@code CI} is {@code true}: CI must run the PostgreSQL variants. This is an execution condition rather than an
 * assumption in {@code beforeAll} because a condition is evaluated before any extension starts the app, so an
 * unreachable server never shows up as a failed application start.
 */
public final class Postgres implements ExecutionCondition, BeforeAllCallback {
    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5432;
    public static final String USER = "postgres";
    public static final String SKIP_MESSAGE = "PostgreSQL not reachable at " + HOST + ":" + PORT
            + "; skipping PostgreSQL variant";

    private static final String[] ADMIN_DATABASES = {"postgres", "test"};
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Postgres.class);

    private final String name;
    private final String adminDatabase; // null when the server is unreachable
    private final String unreachable;    // why, when it is
    private volatile boolean dropped;

    private Postgres(String name, String adminDatabase, String unreachable) {
        this.name = name;
        this.adminDatabase = adminDatabase;
        this.unreachable = unreachable;
    }

    /** Creates {@code salesmate_test_<random>} now, or remembers that the server is unreachable. */
    public static Postgres throwaway() {
        String name = "salesmate_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        StringBuilder failures = new StringBuilder();
        for (String admin : ADMIN_DATABASES) {
            try (Connection c = connect(admin); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
                Postgres pg = new Postgres(name, admin, null);
                Runtime.getRuntime().addShutdownHook(new Thread(pg::dropQuietly, "drop-" + name));
                return pg;
            } catch (SQLException e) {
                failures.append(admin).append(": ").append(e.getMessage()).append("; ");
            }
        }
        return new Postgres(name, null, failures.toString());
    }

    public boolean available() {
        return adminDatabase != null;
    }

    /** The JDBC URL of the throwaway database. */
    public String url() {
        return jdbcUrl(name);
    }

    public String name() {
        return name;
    }

    /** A connection to the admin database (not the throwaway one), e.g. to take the throwaway one away. */
    public Connection admin() throws SQLException {
        return connect(adminDatabase);
    }

    /** A direct connection to the throwaway database, outside any pool under test. */
    public Connection connection() throws SQLException {
        return connect(name);
    }

    /**
     * Makes the database unreachable for clients (new connections are refused, existing ones are terminated) or
     * reachable again.
     */
    public void allowConnections(boolean allow) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS " + allow);
        }
        if (!allow) {
            // a backend that was still starting when the first pass looked is not in it: terminate until a pass
            // finds none, so that no connection made before the change survives it
            for (int pass = 0; pass < 20 && terminateConnections() > 0; pass++) {
                // again
            }
        }
    }

    /** Terminates every backend connected to the throwaway database and waits until they are gone; returns how many. */
    public int terminateConnections() throws SQLException {
        List<Integer> pids = new ArrayList<>();
        try (Connection c = admin()) {
            try (PreparedStatement s = c.prepareStatement("SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE datname = ? AND pid <> pg_backend_pid()")) {
                s.setString(1, name);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        pids.add(r.getInt(1));
                    }
                }
            }
            // pg_terminate_backend only signals; wait until the backends have exited
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ANY (?)")) {
                s.setArray(1, c.createArrayOf("int4", pids.toArray()));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (true) {
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        if (r.getInt(1) == 0) {
                            return pids.size();
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        throw new SQLException("backends of " + name + " still alive 10 s after termination");
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
            }
        }
    }

    /** Drops the database (terminating its connections first); idempotent. */
    public synchronized void drop() throws SQLException {
        if (dropped || !available()) {
            return;
        }
        allowConnections(false);
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name);
        }
        dropped = true;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (available()) {
            return ConditionEvaluationResult.enabled("PostgreSQL reachable; using database " + name);
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionFailedError("PostgreSQL not reachable at " + HOST + ":" + PORT
                    + ", and CI=true requires the PostgreSQL variants to run: " + unreachable);
        }
        return ConditionEvaluationResult.disabled(SKIP_MESSAGE + " (" + unreachable + ")");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // Resources in the class's store are closed after every afterAll callback, i.e. after the app has stopped.
        context.getStore(NAMESPACE).put("drop", (AutoCloseable) this::drop);
    }

    private void dropQuietly() {
        try {
            drop();
        } catch (SQLException e) {
            System.err.println("could not drop " + name + ": " + e.getMessage());
        }
    }

    private static String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + database;
    }

    private static Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("connectTimeout", "3");
        p.setProperty("ApplicationName", "salesmate-tests");
        return DriverManager.getConnection(jdbcUrl(database), p);
    }
}
