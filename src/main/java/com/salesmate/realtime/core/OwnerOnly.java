package com.salesmate.realtime.core;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Creates what holds secrets and tenants' data (the data folder, the SQLite file) readable by the service's user only,
 * whatever the umask: 0700 folders, 0600 files. What exists already is left as the operator made it.
 */
public final class OwnerOnly {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private OwnerOnly() {
    }

    public static void directories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            directories(parent);
        }
        try {
            Files.createDirectory(absolute, attributes("rwx------"));
        } catch (FileAlreadyExistsException raced) {
            // made meanwhile
        }
    }

    /** Creates an empty file 0600 if there is none. */
    public static void file(Path file) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        try {
            Files.createFile(file, attributes("rw-------"));
        } catch (FileAlreadyExistsException raced) {
            // made meanwhile
        }
    }

    private static FileAttribute<?>[] attributes(String permissions) {
        return POSIX ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString(permissions))} : new FileAttribute<?>[0];
    }
}
