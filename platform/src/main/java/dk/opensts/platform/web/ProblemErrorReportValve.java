package dk.opensts.platform.web;

import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.ProblemErrorController;
import dk.opensts.platform.error.ProblemHandler;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.catalina.Container;
import org.apache.catalina.Host;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's error report as {@code application/problem+json}, like every other refusal of the API.
 * What Tomcat refuses itself, before any filter or controller runs (a NUL character {@code %00} or a
 * space in the path, a control character in a header, headers over its limit, a
 * {@code Content-Length} that is not a number, a transfer coding it does not implement), was
 * answered with Tomcat's HTML page. Such a request has no correlation id yet, so it is given one
 * here, in the answer's header and body and in the log. The request's own text is never echoed.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorReportValve.class);

    /** The answer's detail for a request the web server could not read. */
    public static final String UNREADABLE = "The request is not well-formed HTTP and was refused before any API saw it:"
            + " its request line, URL or a header could not be read (such as a space, a control character or the NUL"
            + " character %00 in the path, a control character in a header, headers larger than the server accepts, or a"
            + " Content-Length that is not a number)";

    private final JsonMapper json;

    public ProblemErrorReportValve(JsonMapper json) {
        this.json = json;
        setShowReport(false);
        setShowServerInfo(false);
    }

    /**
     * Puts this valve in place of every error report valve of the host {@code context} belongs to
     * (Tomcat's default and the one Spring Boot adds), so that no HTML page is written: as the host
     * starts, after every customiser of the context has run, whatever order they ran in.
     */
    public void installAsHostStarts(Container context) {
        if (context.getParent() instanceof Host host) {
            host.addLifecycleListener(event -> {
                if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                    install(host);
                }
            });
        }
    }

    private void install(Host host) {
        for (Valve v : host.getPipeline().getValves()) {
            if (v instanceof ErrorReportValve && v != this) {
                host.getPipeline().removeValve(v);
            }
        }
        if (!List.of(host.getPipeline().getValves()).contains(this)) {
            host.getPipeline().addValve(this);
        }
        if (host instanceof StandardHost standard) {
            // the host adds a valve of this class name when it starts unless one is there: this one
            standard.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
        }
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String correlation = UUID.randomUUID().toString();
        ErrorCode code = ProblemErrorController.codeOf(status);
        String detail = ProblemErrorController.detailOf(code, UNREADABLE);
        if (status >= 500) {
            log.warn("web server answered {} before the application [correlation {}]", status, correlation, throwable);
        } else {
            log.debug("web server refused a request with {} [correlation {}]", status, correlation);
        }
        ProblemDetail body = ProblemHandler.body(code, detail, List.of(), Map.of(), null);
        body.setStatus(status);
        body.setTitle(reason(status));
        body.setProperty("correlationId", correlation);
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            response.setHeader(Correlation.HEADER, correlation);
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(json.writeValueAsString(body));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the connection is gone or the answer already started: nothing more to say
        }
    }

    private static String reason(int status) {
        HttpStatus s = HttpStatus.resolve(status);
        return s == null ? "Error" : s.getReasonPhrase();
    }
}
