package dev.fanout.testsupport.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.events.Envelope;
import dev.fanout.events.EventIds;
import dev.fanout.events.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Realistic envelopes (~500-byte log lines with Cribl fields) for archive tests and measurements. */
public final class TestEvents {
    private TestEvents() {}

    private static final String[] HOSTS = {"web-01", "web-02", "api-01", "db-01", "edge-oci-1", "homelab"};
    private static final String[] PATHS = {"/api/v1/orders", "/api/v1/users/42", "/healthz", "/static/app.js",
            "/api/v1/search?q=widgets&page=3", "/login", "/api/v1/cart/items"};
    private static final String[] AGENTS = {
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
            "curl/8.5.0", "Go-http-client/2.0",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15"};

    private static final byte[] BODY_DIGEST = EventIds.bodyDigest(new byte[] {1, 2, 3}, 0, 3);

    /**
     * One envelope whose id is derived from {@code n} the way the bridge derives ids (32 hex chars
     * of SHA-256, as incompressible as real ids), so compression measurements stay honest.
     */
    public static Envelope event(int n, Instant time) {
        return event(EventIds.eventId(BODY_DIGEST, n), time, new Random(n));
    }

    public static Envelope event(String id, Instant time, Random rnd) {
        String host = HOSTS[rnd.nextInt(HOSTS.length)];
        String path = PATHS[rnd.nextInt(PATHS.length)];
        int status = rnd.nextInt(10) == 0 ? 500 : (rnd.nextInt(5) == 0 ? 404 : 200);
        String ip = "10." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256);
        String raw = String.format(Locale.ROOT,
                "%s - - [%s] \"GET %s HTTP/1.1\" %d %d \"https://shop.example.org/\" \"%s\" rt=%.3f uct=%.3f req_id=%016x",
                ip, time, path, status, 200 + rnd.nextInt(40_000), AGENTS[rnd.nextInt(AGENTS.length)],
                rnd.nextDouble(), rnd.nextDouble() / 10, rnd.nextLong());
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        fields.put("cribl_pipe", "main");
        fields.put("cribl_host", "cribl-worker-0");
        fields.put("status", status);
        fields.put("bytes", 200 + rnd.nextInt(40_000));
        Instant received = time.plusMillis(rnd.nextInt(2_000));
        return new Envelope(id, Envelope.SCHEMA_V1, time, Envelope.TimeSource.EVENT, received, host,
                "/var/log/nginx/access.log", "nginx:access", "web",
                status >= 500 ? Severity.ERROR : Severity.INFO, raw, fields, null);
    }

    /** {@code count} events with times spread evenly from {@code start} over {@code spanMillis}. */
    public static List<Envelope> batch(int firstId, int count, Instant start, long spanMillis) {
        List<Envelope> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long offset = count == 1 ? 0 : spanMillis * i / (count - 1);
            out.add(event(firstId + i, start.plusMillis(offset)));
        }
        return out;
    }
}
