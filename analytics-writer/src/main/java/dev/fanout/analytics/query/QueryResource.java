package dev.fanout.analytics.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.analytics.AnalyticsConfig;
import dev.fanout.analytics.duckdb.DuckDbAnalyticsStore;
import dev.fanout.events.EnvelopeCodec;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/query}: read-only SQL on the local analytics database, for the CLI's
 * {@code query} command and scripts, because DuckDB lets only this process open the file while the
 * pipeline runs. Off unless {@code fanout.analytics.query.enabled} (local-pipeline turns it on);
 * then it needs a token ({@code Authorization: Bearer …}) and, by default, a loopback client.
 *
 * <p>Body: the SQL as {@code text/plain} (or {@code application/sql}), or JSON {@code {"sql": "…"}}.
 * Every error answers a JSON body {@code {"error": code, "message": …}}.
 */
@Path("/v1/query")
public class QueryResource {

    private static final Logger LOG = Logger.getLogger(QueryResource.class);

    @Inject
    AnalyticsConfig config;
    @Inject
    Instance<DuckDbAnalyticsStore> store;

    private volatile QueryService service;

    @POST
    @Consumes({MediaType.TEXT_PLAIN, "application/sql", MediaType.APPLICATION_JSON, MediaType.WILDCARD})
    @Produces(MediaType.APPLICATION_JSON)
    public Response query(byte[] body, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @Context HttpServerRequest request) {
        AnalyticsConfig.Query q = config.query();
        if (!config.enabled() || !q.enabled() || config.backend() != AnalyticsConfig.Backend.duckdb) {
            return error(404, "not_found",
                    "the query endpoint is off (fanout.analytics.enabled, fanout.analytics.query.enabled, DuckDB backend only)");
        }
        if (q.loopbackOnly() && !fromLoopback(request)) {
            return error(403, "forbidden", "the query endpoint answers loopback clients only");
        }
        if (!authorized(authorization, q.tokens().orElse(List.of()))) {
            return error(401, authorization == null ? "missing_token" : "invalid_token",
                    "send Authorization: Bearer <token> (local-pipeline: the ingest token)");
        }
        String sql;
        try {
            sql = sqlOf(body, contentType);
        } catch (IllegalArgumentException e) {
            return error(400, "invalid_body", e.getMessage());
        }
        if (sql.isBlank()) {
            return error(400, "invalid_body", "no SQL in the body");
        }
        if (sql.length() > q.maxSqlChars()) {
            return error(413, "too_large", "SQL longer than " + q.maxSqlChars() + " characters");
        }
        try {
            return Response.ok(service().run(sql)).type(MediaType.APPLICATION_JSON).build();
        } catch (QueryService.QueryException e) {
            return error(e.status, e.code, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf(e, "query failed");
            return error(500, "internal", e.getClass().getSimpleName());
        }
    }

    private QueryService service() {
        QueryService s = service;
        if (s == null) {
            synchronized (this) {
                if (service == null) {
                    service = new QueryService(store.get(), config.query().maxRows(), config.query().timeout());
                }
                s = service;
            }
        }
        return s;
    }

    @PreDestroy
    void close() {
        if (service != null) {
            service.close();
        }
    }

    static String sqlOf(byte[] body, String contentType) {
        String text = new String(body == null ? new byte[0] : body, StandardCharsets.UTF_8);
        if (contentType != null && contentType.toLowerCase().startsWith(MediaType.APPLICATION_JSON)) {
            try {
                JsonNode n = EnvelopeCodec.mapper().readTree(text);
                if (n == null || !n.path("sql").isTextual()) {
                    throw new IllegalArgumentException("JSON body must be {\"sql\": \"…\"}");
                }
                return n.get("sql").asText();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("body is not JSON: " + e.getOriginalMessage());
            }
        }
        return text;
    }

    static boolean fromLoopback(HttpServerRequest request) {
        SocketAddress a = request == null ? null : request.remoteAddress();
        if (a == null || a.hostAddress() == null) {
            return false;
        }
        try {
            return InetAddress.getByName(a.hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static boolean authorized(String header, List<String> tokens) {
        if (header == null || tokens.isEmpty()) {
            return false;
        }
        String h = header.strip();
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = h.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (String t : tokens) {
            // Compare with every token in constant time: no early exit that times the match.
            ok |= !t.isBlank() && MessageDigest.isEqual(given, t.strip().getBytes(StandardCharsets.UTF_8));
        }
        return ok;
    }

    private static Response error(int status, String code, String message) {
        ObjectNode n = JsonNodeFactory.instance.objectNode().put("error", code).put("message", message);
        return Response.status(status).entity(n).type(MediaType.APPLICATION_JSON).build();
    }
}
