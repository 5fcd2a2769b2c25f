package com.salesmate.realtime.ops;

import com.salesmate.realtime.support.TestApp;
import io.dropwizard.testing.ConfigOverride;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the service creates to hold secrets and tenants' data is its user's only, whatever the umask: the data folder
 * 0700, the generated JWT secret and admin key 0600, the SQLite folder 0700 and file 0600 (they were 0755/0644).
 */
@Timeout(60)
class FilePermissionsTest {
    @Test
    void theDataFolderSecretsAndDatabaseFileAreTheOwnersOnly() throws Exception {
        Path root = Files.createTempDirectory("salesmate-perms");
        Path db = root.resolve("db/sub/realtime.db");
        TestApp app = TestApp.withDatabase("jdbc:sqlite:" + db,
                ConfigOverride.config("auth.jwtSecret", ""), ConfigOverride.config("auth.adminApiKey", ""));
        // the app's own data folder (TestApp names it), made by the service: not there before it starts
        Path data = app.dataDir();
        Files.delete(data);
        app.extension().before();
        try {
            assertThat(permissions(data)).isEqualTo("rwx------");
            assertThat(permissions(data.resolve("jwt-secret"))).isEqualTo("rw-------");
            assertThat(permissions(data.resolve("admin-api-key"))).isEqualTo("rw-------");
            assertThat(permissions(db.getParent())).isEqualTo("rwx------");
            assertThat(permissions(db.getParent().getParent())).isEqualTo("rwx------");
            assertThat(permissions(db)).isEqualTo("rw-------");
            assertThat(Files.size(db)).as("migrated into the file it made").isPositive();
        } finally {
            app.extension().after();
        }
    }

    private static String permissions(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
