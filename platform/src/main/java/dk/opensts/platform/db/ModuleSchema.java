package dk.opensts.platform.db;

/**
 * A module's own database schema. Its migrations live in {@code db/migration/<name>}; a module
 * that keeps registry objects ({@code bitemporal}) also gets the bitemporal store tables as its
 * version 1, so its own migrations start at version 2.
 */
public record ModuleSchema(String name, boolean bitemporal) {

    public ModuleSchema {
        if (!name.matches("[a-z][a-z_]{1,30}")) {
            throw new IllegalArgumentException("schema name must be lower-case letters: " + name);
        }
    }
}
