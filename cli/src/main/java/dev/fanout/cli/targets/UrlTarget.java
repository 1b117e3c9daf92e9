package dev.fanout.cli.targets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.cli.replay.Line;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Fanout ingest bridge or the local pipeline, through its replay endpoint:
 * {@code POST <url>/v1/envelopes}, NDJSON of envelope v1 (gzip unless the URL is loopback:
 * {@link BodyCompression}), {@code Authorization: Bearer
 * <replay token>}, {@code Fanout-Replay: <run id>}. The bridge publishes the envelopes as given
 * (ids and times kept) with the attribute {@code replay=<run id>} and answers
 * {@code {"accepted":N,"rejected":M,"rejected_lines":[…]}} once the bus confirmed them.
 */
public final class UrlTarget implements ReplayTarget {

    public static final String PATH = "/v1/envelopes";
    public static final String REPLAY_HEADER = "Fanout-Replay";

    /**
     * Uncompressed bytes per request. Cribl's own default batch is 4 MB before compression and the
     * bridge bounds bodies well above that; smaller requests also keep a 503 retry cheap.
     */
    public static final int DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

    private final HttpNdjsonClient client;
    private final int maxBodyBytes;

    public UrlTarget(URI base, String token, String runId, Duration retryFor, int maxBodyBytes) {
        this(base, token, runId, retryFor, maxBodyBytes, BodyCompression.AUTO);
    }

    public UrlTarget(URI base, String token, String runId, Duration retryFor, int maxBodyBytes, BodyCompression compression) {
        String b = base.toString().replaceAll("/+$", "");
        URI endpoint = URI.create(b.endsWith(PATH) ? b : b + PATH);
        this.client = new HttpNdjsonClient(endpoint, token, Map.of(REPLAY_HEADER, runId), retryFor, Duration.ofSeconds(60),
                compression);
        this.maxBodyBytes = maxBodyBytes;
    }

    /** One request body per part: the replay's parts are cut where this target cuts its bodies. */
    @Override
    public long partBytes() {
        return maxBodyBytes;
    }

    @Override
    public SendOutcome send(String sourceKey, List<Line> events) throws Exception {
        SendOutcome total = SendOutcome.allSent(0);
        int i = 0;
        while (i < events.size()) {
            int j = i;
            long bytes = 0;
            while (j < events.size() && (j == i || bytes + events.get(j).len() + 1 <= maxBodyBytes)) {
                bytes += events.get(j).len() + 1;
                j++;
            }
            total = total.plus(sendChunk(events.subList(i, j)));
            i = j;
        }
        return total;
    }

    private SendOutcome sendChunk(List<Line> chunk) throws Exception {
        int size = 0;
        for (Line l : chunk) {
            size += l.len() + 1;
        }
        byte[] b = new byte[size];
        int at = 0;
        for (Line l : chunk) {
            System.arraycopy(l.buf(), l.off(), b, at, l.len());
            at += l.len();
            b[at++] = '\n';
        }
        HttpNdjsonClient.Response r = client.post(b, 0, b.length);
        if (r.status() == 413) {
            if (chunk.size() == 1) {
                return new SendOutcome(0, 1, List.of("event " + chunk.get(0).envelope().id() + ": " + r.describe()));
            }
            int mid = chunk.size() / 2;
            return sendChunk(chunk.subList(0, mid)).plus(sendChunk(chunk.subList(mid, chunk.size())));
        }
        JsonNode body2 = r.body();
        if (r.status() == 400) {
            // Nothing of the request could be kept: every line counts as rejected.
            return new SendOutcome(0, chunk.size(), List.of(chunk.size() + " events refused: " + r.describe()));
        }
        long accepted = body2.path("accepted").asLong(-1);
        long rejected = body2.path("rejected").asLong(0);
        if (accepted < 0) {
            throw new TargetFatalException(client.endpoint() + " answered " + r.status()
                    + " without an 'accepted' count: is this a Fanout bridge? " + r.describe());
        }
        List<String> problems = new ArrayList<>();
        for (JsonNode n : body2.path("rejected_lines")) {
            int line = n.asInt(0);
            if (line >= 1 && line <= chunk.size() && problems.size() < 10) {
                problems.add("event " + chunk.get(line - 1).envelope().id() + " rejected by the bridge");
            }
        }
        if (accepted + rejected != chunk.size()) {
            // Counts that do not add up: treat the difference as not sent, never as done.
            long missing = chunk.size() - accepted - rejected;
            problems.add("bridge accounted for " + (accepted + rejected) + " of " + chunk.size() + " events");
            rejected += Math.max(0, missing);
        }
        return new SendOutcome(accepted, rejected, problems);
    }

    /** Sends the lines' bytes; reports name events by id. */
    @Override
    public boolean linesOnly() {
        return true;
    }

    @Override
    public String describe() {
        return "url " + client.endpoint() + (client.gzip() ? " (gzip)" : " (uncompressed)");
    }

}
