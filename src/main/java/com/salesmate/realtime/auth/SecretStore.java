package com.salesmate.realtime.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Secrets that were not configured: generated once into the data folder (owner-only) and reused after.
 * The log names the file, never the value.
 */
public final class SecretStore {
    private static final Logger LOG = LoggerFactory.getLogger(SecretStore.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dataDir;
    private final boolean announce;

    public SecretStore(Path dataDir) {
        this(dataDir, true);
    }

    /** {@code announce} false: no log lines (for commands whose stdout is their answer, such as {@code token}). */
    public SecretStore(Path dataDir, boolean announce) {
        this.dataDir = dataDir;
        this.announce = announce;
    }

    /** The configured value if non-blank, else the one kept in {@code dataDir/fileName} (created if absent). */
    public String resolve(String configured, String fileName, String what) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        Path file = dataDir.resolve(fileName);
        try {
            com.salesmate.realtime.core.OwnerOnly.directories(dataDir);
            if (!Files.exists(file)) {
                byte[] bytes = new byte[32];
                RANDOM.nextBytes(bytes);
                String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
                Path tmp = Files.createTempFile(dataDir, fileName, ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, value, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file);
                    if (announce) {
                        LOG.warn("{} was not configured: generated one into {} (readable by its owner only)",
                                what, file.toAbsolutePath());
                    }
                } catch (FileAlreadyExistsException raced) {
                    Files.deleteIfExists(tmp);
                }
            } else if (announce) {
                LOG.info("{} was not configured: using the one kept in {}", what, file.toAbsolutePath());
            }
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep " + what + " in " + file, e);
        }
    }
}
