package dk.opensts.platform.security;

import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.ProblemHandler;
import dk.opensts.platform.securitylog.SecurityEventType;
import dk.opensts.platform.securitylog.SecurityLog;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import tools.jackson.databind.json.JsonMapper;

/** 401 and 403 from the security filters, as problem+json like every other refusal; rejected tokens are logged. */
public final class ProblemSecurityHandlers {

    private ProblemSecurityHandlers() {
    }

    public static AuthenticationEntryPoint entryPoint(JsonMapper json, SecurityLog securityLog) {
        return (request, response, e) -> {
            boolean presented = request.getHeader("Authorization") != null;
            response.setHeader("WWW-Authenticate", presented ? "Bearer error=\"invalid_token\"" : "Bearer");
            String detail = presented ? "The bearer token was rejected: " + reason(e) : "A bearer token is required";
            if (presented && securityLog != null) {
                securityLog.denied(SecurityEventType.TOKEN_REJECTED, SecurityLog.Subject.ANONYMOUS, reason(e),
                        Map.of("method", request.getMethod(), "path", request.getRequestURI()));
            }
            write(json, response, ErrorCode.UNAUTHENTICATED, detail, request.getRequestURI());
        };
    }

    public static AccessDeniedHandler deniedHandler(JsonMapper json) {
        return (request, response, e) -> write(json, response, ErrorCode.FORBIDDEN,
                "The token does not grant this operation", request.getRequestURI());
    }

    /** Why a token failed, as the verifier says it (signature, expiry, issuer, format); never the token itself. */
    private static String reason(AuthenticationException e) {
        String text = e instanceof OAuth2AuthenticationException o && o.getError().getDescription() != null
                ? o.getError().getDescription() : e.getMessage();
        if (text == null) {
            return "invalid token";
        }
        text = text.replace("An error occurred while attempting to decode the Jwt: ", "");
        return text.length() > 300 ? text.substring(0, 300) : text;
    }

    /** Writes a problem+json refusal from a filter (where no controller advice runs). */
    public static void write(JsonMapper json, HttpServletResponse response, ErrorCode code, String detail, String uri)
            throws IOException {
        response.setStatus(code.status().value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(json.writeValueAsBytes(
                ProblemHandler.body(code, detail, List.of(), Map.of(), uri)));
    }
}
