package dk.opensts.platform.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * Secrets kept as files readable by the owner only, made on first use: keys that must not live
 * in the database they protect (the security log's hash key, the signing keys' wrapping key).
 */
public final class SecretFiles {

    private SecretFiles() {
    }

    /** The file's bytes; a new file of {@code length} random bytes if there is none. */
    public static byte[] readOrCreate(Path file, int length) {
        try {
            if (Files.exists(file)) {
                return Files.readAllBytes(file);
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            byte[] key = new byte[length];
            new SecureRandom().nextBytes(key);
            try {
                Files.write(file, key, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException raced) {
                return Files.readAllBytes(file);
            }
            ownerOnly(file);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("secret file " + file, e);
        }
    }

    /** Restricts a file to its owner where the file system knows POSIX permissions. */
    public static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
    }
}
