package dev.fanout.ingest.http;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers what the HTTP layer would otherwise refuse with an empty body, with the JSON error body:
 * a {@code Content-Length} over {@code quarkus.http.limits.max-body-size} (Quarkus' own check, one
 * route later, answers a bare 413) and headers over {@link #MAX_HEADER_BYTES} (431). Also closes the
 * connection after any error answered before its request body ended, so refused bodies are not
 * received into memory.
 *
 * <p>Headers larger than {@code quarkus.http.limits.max-header-size} (256K in the bridge) never
 * reach a route: Vert.x refuses them while parsing, with a bare 431. The bridge sets that limit far
 * above {@link #MAX_HEADER_BYTES} so every realistic oversize header gets the JSON answer.
 */
@Singleton
public class HttpLayerErrors {

    /** Total bytes of request headers accepted (names, values and separators). Cribl sends well under 8 KiB. */
    static final int MAX_HEADER_BYTES = 32 * 1024;
    /** Before Quarkus' upload-limit route ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT} = -2). */
    static final int ROUTE_ORDER = -3;

    private final long maxBodyBytes;

    public HttpLayerErrors(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBody) {
        this.maxBodyBytes = maxBody.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
    }

    void routes(@Observes Router router) {
        router.route().order(ROUTE_ORDER).handler(rc -> {
            var req = rc.request();
            long headerBytes = 0;
            for (Map.Entry<String, String> h : req.headers()) {
                headerBytes += h.getKey().length() + h.getValue().length() + 4;
            }
            if (headerBytes > MAX_HEADER_BYTES) {
                refuse(rc, 431, "headers_too_large", "request headers are " + headerBytes + " bytes; at most "
                        + MAX_HEADER_BYTES + " are accepted");
                return;
            }
            String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null) {
                long declared;
                try {
                    declared = Long.parseLong(length.strip());
                } catch (NumberFormatException e) {
                    declared = -1;
                }
                if (declared > maxBodyBytes) {
                    refuse(rc, 413, "body_too_large", "request body of " + declared + " bytes exceeds the HTTP limit of "
                            + maxBodyBytes + " bytes");
                    return;
                }
            }
            // An error answered before the body was read to its end (budget, limits, auth): close the
            // connection instead of letting the rest of the body arrive into memory nobody reads.
            rc.addHeadersEndHandler(v -> {
                if (rc.response().getStatusCode() >= 400 && !req.isEnded()) {
                    rc.response().putHeader(HttpHeaders.CONNECTION, "close");
                }
            });
            rc.addEndHandler(done -> {
                if (rc.response().getStatusCode() >= 400 && !req.isEnded()) {
                    rc.response().close();
                }
            });
            rc.next();
        });
    }

    private static void refuse(io.vertx.ext.web.RoutingContext rc, int status, String code, String message) {
        String body = new JsonObject().put("error", code).put("message", message).put("request_id", RequestIds.next())
                .encode();
        // The body was not read: close the connection rather than read and discard it.
        rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close").end(body);
    }
}
