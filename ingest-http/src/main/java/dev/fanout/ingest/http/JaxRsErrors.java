package dev.fanout.ingest.http;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The REST layer's own refusals (wrong method, unknown path, …) with the JSON error body every
 * other answer has, instead of an empty one; a 405 also says which methods are allowed.
 */
public class JaxRsErrors {

    /** Methods of {@code /v1/events}, named in {@code Allow} when the REST layer did not. */
    static final String INGEST_METHODS = "POST, PUT";

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        String allow = e.getResponse().getHeaderString(HttpHeaders.ALLOW);
        if (allow == null || allow.isBlank()) {
            allow = INGEST_METHODS;
        }
        return body(405, "method_not_allowed", "this path accepts " + allow).header(HttpHeaders.ALLOW, allow).build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        if (e.getResponse().hasEntity()) {
            // A resource (of any module composed with this one) that built its own answer keeps it.
            return e.getResponse();
        }
        int status = e.getResponse().getStatus();
        String code = Response.Status.fromStatusCode(status) == null ? "http_" + status
                : Response.Status.fromStatusCode(status).name().toLowerCase(Locale.ROOT);
        return body(status, code, e.getMessage() == null ? "HTTP " + status : e.getMessage()).build();
    }

    private static Response.ResponseBuilder body(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new IngestResource.ErrorBody(code, message, RequestIds.next()));
    }
}
