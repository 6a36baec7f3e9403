package dk.opensts.platform.security;

import dk.opensts.platform.error.ErrorCode;
import dk.opensts.platform.error.ProblemHandler;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import tools.jackson.databind.json.JsonMapper;

/** 401 and 403 from the security filters, as problem+json like every other refusal. */
public final class ProblemSecurityHandlers {

    private ProblemSecurityHandlers() {
    }

    public static AuthenticationEntryPoint entryPoint(JsonMapper json) {
        return (request, response, e) -> {
            response.setHeader("WWW-Authenticate", request.getHeader("Authorization") == null
                    ? "Bearer" : "Bearer error=\"invalid_token\"");
            write(json, response, ErrorCode.UNAUTHENTICATED,
                    request.getHeader("Authorization") == null ? "A bearer token is required"
                            : "The bearer token is invalid or expired", request.getRequestURI());
        };
    }

    public static AccessDeniedHandler deniedHandler(JsonMapper json) {
        return (request, response, e) -> write(json, response, ErrorCode.FORBIDDEN,
                "The token does not grant this operation", request.getRequestURI());
    }

    private static void write(JsonMapper json, HttpServletResponse response, ErrorCode code, String detail, String uri)
            throws IOException {
        response.setStatus(code.status().value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(json.writeValueAsBytes(
                ProblemHandler.body(code, detail, List.of(), Map.of(), uri)));
    }
}
