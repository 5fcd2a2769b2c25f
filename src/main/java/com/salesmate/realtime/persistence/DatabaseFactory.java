package com.salesmate.realtime.persistence;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The store: an SQLite file (the default, WAL mode) or PostgreSQL, chosen by the JDBC URL. Builds Dropwizard's
 * {@link DataSourceFactory} with the right driver and per-engine connection properties.
 */
public class DatabaseFactory {
    @JsonProperty
    @NotNull
    @Pattern(regexp = "jdbc:(sqlite|postgresql):.+", message = "must be a jdbc:sqlite: or jdbc:postgresql: URL")
    private String url = "jdbc:sqlite:data/salesmate.db";

    @JsonProperty
    private String user = "";

    @JsonProperty
    private String password = "";

    /** Run pending migrations at start. */
    @JsonProperty
    private boolean migrateOnStart = true;

    /** SQLite's synchronous pragma: FULL survives power loss, NORMAL (with WAL) survives a process crash. */
    @JsonProperty
    @Pattern(regexp = "OFF|NORMAL|FULL|EXTRA")
    private String sqliteSynchronous = "FULL";

    /**
     * How often the WAL is checkpointed off the commit path ({@link WalCheckpointer}); 0 leaves it to SQLite's
     * automatic checkpoint (`0s`), which runs inside a commit.
     */
    @JsonProperty
    @NotNull
    private Duration sqliteCheckpointInterval = Duration.milliseconds(200);

    @JsonProperty
    @Min(1)
    private int maxPoolSize = 8;

    @JsonProperty
    @NotNull
    private Duration maxWaitForConnection = Duration.seconds(2);

    @JsonProperty
    @NotNull
    private Duration connectTimeout = Duration.seconds(3);

    public String getUrl() {
        return url;
    }

    public String getUser() {
        return user;
    }

    public String getPassword() {
        return password;
    }

    public boolean isMigrateOnStart() {
        return migrateOnStart;
    }

    /** True when this service checkpoints the SQLite WAL itself ({@link WalCheckpointer}), not SQLite's commits. */
    public boolean checkpointsOffCommitPath() {
        return isSqlite() && sqliteCheckpointInterval.toMilliseconds() > 0;
    }

    public java.time.Duration getSqliteCheckpointInterval() {
        return sqliteCheckpointInterval.toJavaDuration();
    }

    public boolean isSqlite() {
        return url.startsWith("jdbc:sqlite:");
    }

    /** Creates the SQLite file's folder if needed. */
    public void prepare() {
        if (!isSqlite()) {
            return;
        }
        String path = url.substring("jdbc:sqlite:".length());
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.isEmpty() || path.startsWith(":memory:") || path.startsWith("file:")) {
            return;
        }
        Path file = Path.of(path).toAbsolutePath();
        try {
            // the tenants' locations and notifications: the folder 0700 and the file 0600 when this service makes them
            // (SQLite gives its -wal and -shm files the database file's permissions)
            com.salesmate.realtime.core.OwnerOnly.directories(file.getParent());
            com.salesmate.realtime.core.OwnerOnly.file(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
    }

    public DataSourceFactory dataSourceFactory() {
        DataSourceFactory f = new DataSourceFactory();
        f.setUrl(url);
        f.setUser(user == null || user.isEmpty() ? null : user);
        f.setPassword(password == null || password.isEmpty() ? null : password);
        f.setDriverClass(isSqlite() ? "org.sqlite.JDBC" : "org.postgresql.Driver");
        f.setValidationQuery("SELECT 1");
        f.setCheckConnectionOnBorrow(!isSqlite()); // a network database can drop connections; a file cannot
        // Validate on every borrow (the pool's default skips it for 30 s after the last check): otherwise after a
        // database restart each dead pooled connection fails one more write although the database is back.
        f.setValidationInterval(Duration.milliseconds(0));
        f.setMinSize(1);
        f.setInitialSize(1);
        f.setMaxSize(maxPoolSize);
        f.setMaxWaitForConnection(maxWaitForConnection);
        f.setProperties(properties());
        return f;
    }

    /** Connection properties per engine (also used by the migration tool). */
    public Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        if (isSqlite()) {
            p.put("journal_mode", "WAL");
            p.put("synchronous", sqliteSynchronous);
            p.put("busy_timeout", "10000");
            if (checkpointsOffCommitPath()) {
                p.put("wal_autocheckpoint", "0"); // no commit checkpoints: WalCheckpointer does, on its own thread
            }
        } else {
            p.put("connectTimeout", Long.toString(connectTimeout.toSeconds()));
            p.put("socketTimeout", "30");
            p.put("ApplicationName", "salesmate-realtime");
        }
        return p;
    }
}
