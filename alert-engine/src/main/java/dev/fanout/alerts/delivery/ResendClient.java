package dev.fanout.alerts.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.fanout.alerts.state.Delivery;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Resend over plain {@code java.net.http} (the Java SDK hides the response headers):
 * {@code POST /emails} for one e-mail, {@code POST /emails/batch} for several, both with
 * {@code Authorization: Bearer}, the delivery's {@code Idempotency-Key} and the stored body.
 * Requests are spaced to {@code max-requests-per-second} and paused while
 * {@code ratelimit-remaining} is 0. Answers are classified (never thrown):
 * <ul>
 *   <li>2xx → sent; 409 {@code invalid_idempotent_request} → already sent (same key, other body: the
 *       first one went out)</li>
 *   <li>429 {@code rate_limit_exceeded} → wait {@code retry-after}; {@code daily_quota_exceeded} /
 *       {@code monthly_quota_exceeded} → stop until the reset</li>
 *   <li>5xx, 408, timeouts, connection failures, 409 {@code concurrent_idempotent_requests} → retry with backoff</li>
 *   <li>400, 401, 403, 404, 405, 422 and other 4xx → permanent</li>
 * </ul>
 */
public final class ResendClient implements DeliveryChannel {

    private static final Logger LOG = Logger.getLogger(ResendClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param baseUrl              e.g. {@code https://api.resend.com}
     * @param apiKey               secret {@code re_…}
     * @param connectTimeout       TCP/TLS connect bound
     * @param requestTimeout       bound on one request, answer included
     * @param maxRequestsPerSecond spacing of requests
     */
    public record Settings(URI baseUrl, String apiKey, Duration connectTimeout, Duration requestTimeout,
            double maxRequestsPerSecond) {
        public Settings {
            Objects.requireNonNull(baseUrl, "baseUrl");
            if (apiKey == null || apiKey.isBlank()) {
                throw new IllegalArgumentException("fanout.alerts.delivery=resend needs fanout.alerts.resend.api-key "
                        + "(env FANOUT_ALERTS_RESEND_API_KEY, from Secret Manager)");
            }
            if (maxRequestsPerSecond <= 0) {
                throw new IllegalArgumentException("max-requests-per-second must be positive");
            }
        }

        @Override
        public String toString() {
            return "Settings[baseUrl=" + baseUrl + ", apiKey=***, connectTimeout=" + connectTimeout + ", requestTimeout="
                    + requestTimeout + ", maxRequestsPerSecond=" + maxRequestsPerSecond + "]";
        }
    }

    private final Settings settings;
    private final HttpClient http;
    private final long spacingNanos;
    private long nextRequestNanos = System.nanoTime();

    public ResendClient(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.spacingNanos = (long) (1_000_000_000L / settings.maxRequestsPerSecond());
    }

    @Override
    public String name() {
        return "resend";
    }

    @Override
    public String describe() {
        return "Resend at " + settings.baseUrl();
    }

    @Override
    public DeliveryResult send(Delivery d) {
        boolean batch = d.emails.size() > 1;
        byte[] body;
        try {
            if (batch) {
                ArrayNode arr = JSON.createArrayNode();
                d.emails.forEach(e -> arr.add(e.body));
                body = JSON.writeValueAsBytes(arr);
            } else {
                body = JSON.writeValueAsBytes(d.emails.get(0).body);
            }
        } catch (IOException e) {
            return new DeliveryResult.Permanent(0, "cannot serialise the e-mail: " + e.getMessage());
        }
        URI uri = settings.baseUrl().resolve(batch ? "/emails/batch" : "/emails");
        HttpRequest req = HttpRequest.newBuilder(uri)
                .timeout(settings.requestTimeout())
                .header("Authorization", "Bearer " + settings.apiKey())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", d.key)
                .header("User-Agent", "fanout-alert-sink")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            pace();
            HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            noteRateLimit(r);
            return classify(r, d.emails.size());
        } catch (HttpTimeoutException e) {
            return new DeliveryResult.Transient("timeout after " + settings.requestTimeout() + ": " + e.getMessage());
        } catch (IOException e) {
            return new DeliveryResult.Transient("I/O: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new DeliveryResult.Transient("interrupted");
        }
    }

    static DeliveryResult classify(HttpResponse<byte[]> r, int emails) {
        int status = r.statusCode();
        JsonNode json = parse(r.body());
        if (status >= 200 && status < 300) {
            List<String> ids = new ArrayList<>();
            JsonNode data = json.has("data") ? json.get("data") : json;
            if (data.isArray()) {
                data.forEach(n -> ids.add(n.path("id").asText()));
            } else if (data.has("id")) {
                ids.add(data.get("id").asText());
            }
            return new DeliveryResult.Sent(ids);
        }
        String name = json.path("name").asText("");
        String reason = status + " " + (name.isEmpty() ? "" : name + ": ") + json.path("message").asText(new String(r.body(),
                java.nio.charset.StandardCharsets.UTF_8)).strip();
        if (status == 429) {
            return switch (name) {
                case "daily_quota_exceeded" -> new DeliveryResult.QuotaExceeded(false, reason);
                case "monthly_quota_exceeded" -> new DeliveryResult.QuotaExceeded(true, reason);
                default -> new DeliveryResult.RateLimited(retryAfter(r).orElse(Duration.ofSeconds(1)), reason);
            };
        }
        if (status == 409) {
            return "concurrent_idempotent_requests".equals(name)
                    ? new DeliveryResult.Transient(reason)
                    : new DeliveryResult.AlreadySent(reason);
        }
        if (status >= 500 || status == 408) {
            return new DeliveryResult.Transient(reason);
        }
        return new DeliveryResult.Permanent(status, reason);
    }

    /** {@code retry-after} in seconds (or an HTTP date, ignored), else {@code ratelimit-reset}. */
    static Optional<Duration> retryAfter(HttpResponse<?> r) {
        for (String h : List.of("retry-after", "ratelimit-reset")) {
            Optional<String> v = r.headers().firstValue(h);
            if (v.isPresent()) {
                try {
                    double seconds = Double.parseDouble(v.get().strip());
                    if (seconds >= 0) {
                        return Optional.of(Duration.ofMillis((long) Math.ceil(seconds * 1000)));
                    }
                } catch (NumberFormatException ignored) {
                    // An HTTP date: fall through to the next header or the default.
                }
            }
        }
        return Optional.empty();
    }

    private synchronized void pace() throws InterruptedException {
        long wait = nextRequestNanos - System.nanoTime();
        if (wait > 0) {
            // Spacing requests to the provider's documented rate; the only sleep on this path.
            Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
        }
        nextRequestNanos = Math.max(System.nanoTime(), nextRequestNanos) + spacingNanos;
    }

    private synchronized void noteRateLimit(HttpResponse<?> r) {
        Optional<String> remaining = r.headers().firstValue("ratelimit-remaining");
        if (remaining.isPresent() && remaining.get().strip().equals("0")) {
            Duration reset = r.headers().firstValue("ratelimit-reset").flatMap(v -> {
                try {
                    return Optional.of(Duration.ofMillis((long) Math.ceil(Double.parseDouble(v.strip()) * 1000)));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }).orElse(Duration.ofSeconds(1));
            nextRequestNanos = Math.max(nextRequestNanos, System.nanoTime() + reset.toNanos());
            LOG.debugf("Resend rate limit window exhausted; next request in %s", reset);
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n == null ? JSON.createObjectNode() : n;
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
