package dev.fanout.cli.targets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.fanout.events.EnvelopeCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * POSTs NDJSON bodies (gzip, or as they are to this machine: {@link BodyCompression}) to a Fanout
 * ingest endpoint ({@code /v1/events} or {@code /v1/envelopes}) with a bearer token, the way Cribl does: 503/429/5xx and connection failures are retried with
 * backoff (honouring {@code Retry-After}) until the budget is spent; 401/403/404 stop the run;
 * 400 and 413 are returned to the caller, which knows what the lines were.
 */
public final class HttpNdjsonClient {

    /** Longest Retry-After honoured; Cribl caps it at 180 s, a replay should not sleep longer than this. */
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private final HttpClient http;
    private final URI endpoint;
    private final String token;
    private final Map<String, String> headers;
    private final Duration retryFor;
    private final Duration requestTimeout;
    private final boolean gzip;

    /** @param token secret; only ever sent in the Authorization header */
    public HttpNdjsonClient(URI endpoint, String token, Map<String, String> headers, Duration retryFor, Duration requestTimeout) {
        this(endpoint, token, headers, retryFor, requestTimeout, BodyCompression.AUTO);
    }

    /**
     * @param token       secret; only ever sent in the Authorization header
     * @param compression how bodies go on the wire ({@link BodyCompression#AUTO}: as they are to loopback)
     */
    public HttpNdjsonClient(URI endpoint, String token, Map<String, String> headers, Duration retryFor, Duration requestTimeout,
            BodyCompression compression) {
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.endpoint = endpoint;
        this.token = token;
        this.headers = Map.copyOf(headers);
        this.retryFor = retryFor;
        this.requestTimeout = requestTimeout;
        this.gzip = compression.resolve(endpoint) == BodyCompression.GZIP;
    }

    /** Whether bodies are sent gzip-compressed. */
    public boolean gzip() {
        return gzip;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** @param status HTTP status; {@code body} is the parsed JSON answer, or a MissingNode */
    public record Response(int status, JsonNode body, String text) {
        /** The error name and message of a JSON error body, for reports. */
        public String describe() {
            String err = body.path("error").asText("");
            String msg = body.path("message").asText("");
            String s = (err + (msg.isEmpty() ? "" : ": " + msg)).strip();
            return "HTTP " + status + (s.isEmpty() ? (text.isBlank() ? "" : " " + abbreviate(text)) : " " + s);
        }
    }

    /** Sends one body (uncompressed NDJSON, gzip-compressed here unless {@link #gzip()} is false) and returns a final answer. */
    public Response post(byte[] ndjson, int off, int len) throws TargetFatalException, InterruptedException {
        HttpRequest.BodyPublisher body = gzip ? HttpRequest.BodyPublishers.ofByteArray(gzip(ndjson, off, len))
                : HttpRequest.BodyPublishers.ofByteArray(ndjson, off, len);
        Backoff backoff = Backoff.within(retryFor);
        String lastProblem = null;
        while (true) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint)
                    .timeout(requestTimeout)
                    .header("Content-Type", "application/x-ndjson")
                    .POST(body);
            if (gzip) {
                rb.header("Content-Encoding", "gzip");
            }
            if (token != null) {
                rb.header("Authorization", "Bearer " + token);
            }
            headers.forEach(rb::header);
            Duration hint = null;
            try {
                HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
                int s = r.statusCode();
                Response resp = new Response(s, parse(r.body()), r.body() == null ? "" : r.body());
                if (s / 100 == 2 || s == 400 || s == 413) {
                    return resp;
                }
                if (s == 401 || s == 403 || s == 404 || s == 405) {
                    throw new TargetFatalException(endpoint + " refused the request: " + resp.describe()
                            + (s == 404 ? " (is the endpoint enabled? /v1/envelopes needs fanout.ingest.replay-tokens on the bridge)"
                            : s == 401 || s == 403 ? " (check the token)" : ""));
                }
                if (s != 429 && s / 100 != 5) {
                    throw new TargetFatalException(endpoint + " answered " + resp.describe());
                }
                hint = retryAfter(r.headers().firstValue("Retry-After").orElse(null));
                lastProblem = resp.describe();
            } catch (IOException e) {
                lastProblem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            if (!backoff.pause(hint)) {
                throw new TargetFatalException(endpoint + " still failing after " + backoff.attempts() + " attempts over "
                        + retryFor + " (last: " + lastProblem + "); nothing after the last checkpoint was skipped");
            }
        }
    }

    static Duration retryAfter(String value) {
        if (value == null) {
            return null;
        }
        try {
            long s = Long.parseLong(value.strip());
            return Duration.ofSeconds(Math.max(0, Math.min(s, MAX_RETRY_AFTER.toSeconds())));
        } catch (NumberFormatException httpDate) {
            // An HTTP-date: rare from Fanout; let the backoff choose.
            return null;
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return EnvelopeCodec.mapper().readTree(body);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    static byte[] gzip(byte[] b, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len / 6 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024) {
            {
                // Fastest level: on loopback or a LAN the bytes are cheap, the CPU is not.
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            gz.write(b, off, len);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String abbreviate(String s) {
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }
}
