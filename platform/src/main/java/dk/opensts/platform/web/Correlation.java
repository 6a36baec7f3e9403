package dk.opensts.platform.web;

import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/** The correlation id of the request being served: taken from {@code X-Correlation-Id} or made. */
public final class Correlation {

    public static final String HEADER = "X-Correlation-Id";
    public static final String MDC_KEY = "correlationId";
    /** The request attribute that holds the id for the rest of the request, its error page included. */
    public static final String ATTRIBUTE = Correlation.class.getName();
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private Correlation() {
    }

    public static String current() {
        String id = MDC.get(MDC_KEY);
        return id == null ? "none" : id;
    }

    /** A caller's id if it is safe to log and echo, otherwise a new one. */
    public static String accept(String fromCaller) {
        return fromCaller != null && SAFE.matcher(fromCaller).matches() ? fromCaller : UUID.randomUUID().toString();
    }
}
