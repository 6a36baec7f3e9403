package dk.opensts.platform.bitemporal;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Streams rows into a PostgreSQL {@code COPY ... FROM STDIN} in the text format (tab-separated,
 * {@code \N} for null, special characters escaped). Rows are sent in chunks as they are made, so
 * the server checks constraints and maintains indexes while the caller formats the next rows.
 * Closing without {@link #finish()} cancels the copy.
 */
final class CopyWriter implements AutoCloseable {

    private static final int CHUNK = 1 << 16;

    private final CopyIn copy;
    private final StringBuilder sb = new StringBuilder(CHUNK + 4096);
    private int rows;
    private boolean finished;

    CopyWriter(Connection connection, String sql) throws SQLException {
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
    }

    void row(Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append('\t');
            }
            Object v = values[i];
            if (v == null) {
                sb.append("\\N");
            } else {
                escape(v.toString());
            }
        }
        sb.append('\n');
        rows++;
        if (sb.length() >= CHUNK) {
            flush();
        }
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
    }

    private void flush() throws SQLException {
        if (!sb.isEmpty()) {
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            sb.setLength(0);
        }
    }

    /** Sends what is left and ends the copy; the server's errors (constraints) surface here or earlier. */
    long finish() throws SQLException {
        flush();
        finished = true;
        return copy.endCopy();
    }

    int rows() {
        return rows;
    }

    @Override
    public void close() throws SQLException {
        if (!finished && copy.isActive()) {
            copy.cancelCopy();
        }
    }
}
