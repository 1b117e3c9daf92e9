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
 * route later, answers a bare 413) and headers over {@link #MAX_HEADER_BYTES} (431). After any error
 * answered before its request body ended, the rest of the body is read and dropped as it arrives
 * (never kept) for at most {@link #LINGER_BYTES} / {@link #LINGER_MILLIS}, then the connection is
 * closed: closing at once while the client still sends makes the kernel reset the connection, and
 * the reset can destroy the answer before the client reads it — the sender (Cribl) then sees a
 * broken connection and retries, instead of reading the 413/503 and its JSON.
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

    /** Bytes of a refused body read and dropped before the connection is closed anyway. */
    static final long LINGER_BYTES = 16L << 20;
    /** How long a refused body is drained before the connection is closed anyway. */
    static final long LINGER_MILLIS = 2_000;

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
            // An error answered before the body was read to its end (budget, limits, auth): drop the
            // rest of the body as it arrives, then close, so nothing nobody reads piles up in memory.
            rc.addEndHandler(done -> {
                if (rc.response().getStatusCode() >= 400 && !req.isEnded()) {
                    drainThenClose(rc);
                }
            });
            rc.next();
        });
    }

    private static void refuse(io.vertx.ext.web.RoutingContext rc, int status, String code, String message) {
        String body = new JsonObject().put("error", code).put("message", message).put("request_id", RequestIds.next())
                .encode();
        rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
        if (!rc.request().isEnded()) {
            drainThenClose(rc);
        }
    }

    /** Reads and drops what is left of a refused request body, bounded, then closes the connection. */
    private static void drainThenClose(io.vertx.ext.web.RoutingContext rc) {
        var req = rc.request();
        var vertx = rc.vertx();
        long[] dropped = {0};
        long timer = vertx.setTimer(LINGER_MILLIS, t -> rc.response().close());
        try {
            req.handler(buf -> {
                dropped[0] += buf.length();
                if (dropped[0] > LINGER_BYTES) {
                    vertx.cancelTimer(timer);
                    rc.response().close();
                }
            });
            req.endHandler(v -> {
                vertx.cancelTimer(timer);
                rc.response().close();
            });
            req.resume();
        } catch (IllegalStateException alreadyRead) {
            vertx.cancelTimer(timer);
            rc.response().close();
        }
    }
}
