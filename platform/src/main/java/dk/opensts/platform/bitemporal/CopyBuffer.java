package dk.opensts.platform.bitemporal;

/** Rows in PostgreSQL's COPY text format: tab-separated, {@code \N} for null, special characters escaped. */
final class CopyBuffer {

    private final StringBuilder sb = new StringBuilder();
    private int rows;

    void row(Object... values) {
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

    boolean isEmpty() {
        return rows == 0;
    }

    int rows() {
        return rows;
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
