package dev.fanout.cli.targets;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import dev.fanout.cli.replay.Line;
import dev.fanout.events.Attributes;
import dev.fanout.events.BusMessage;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageEncoder;
import dev.fanout.events.MessageEncoderOptions;
import dev.fanout.events.MessageTooLargeException;
import dev.fanout.events.PubSubLimits;
import dev.fanout.events.port.EventPublisher;
import dev.fanout.pubsub.PubSubConfig;
import dev.fanout.pubsub.PubSubConnection;
import dev.fanout.pubsub.PubSubEventPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A Pub/Sub topic, packed exactly as the bridge publishes ({@link MessageEncoder}, same options and
 * limits) through the shared {@link PubSubEventPublisher}, with {@code replay=<run id>} on every
 * message. A message whose publish fails transiently is published again after a backoff (a second
 * copy is possible: events keep their ids and every sink dedupes by id); nothing is skipped.
 */
public final class TopicTarget implements ReplayTarget {

    /** Status codes worth another attempt (gax's own retryable set for Publish, plus flow control). */
    private static final Set<StatusCode.Code> TRANSIENT = Set.of(StatusCode.Code.UNAVAILABLE,
            StatusCode.Code.DEADLINE_EXCEEDED, StatusCode.Code.RESOURCE_EXHAUSTED, StatusCode.Code.ABORTED,
            StatusCode.Code.INTERNAL, StatusCode.Code.UNKNOWN, StatusCode.Code.CANCELLED);

    private final EventPublisher publisher;
    private final AutoCloseable closer;
    private final MessageEncoder encoder;
    private final String runId;
    private final String topicName;
    private final Duration retryFor;

    public TopicTarget(EventPublisher publisher, AutoCloseable closer, MessageEncoderOptions options, String runId,
            String topicName, Duration retryFor) {
        this.publisher = publisher;
        this.closer = closer;
        this.encoder = new MessageEncoder(options);
        this.runId = runId;
        this.topicName = topicName;
        this.retryFor = retryFor;
    }

    /** The topic of {@code fanout.pubsub.*} (project, emulator host, batching, retries) with the bridge's packing. */
    public static TopicTarget open(PubSubConfig config, MessageEncoderOptions options, String runId, Duration retryFor)
            throws Exception {
        PubSubConnection connection = PubSubConnection.open(config, null);
        if (!connection.emulated()) {
            try {
                // Before any work: the publisher would only find out at the first publish.
                com.google.auth.oauth2.GoogleCredentials.getApplicationDefault();
            } catch (java.io.IOException e) {
                connection.close();
                throw new dev.fanout.cli.UsageException("no Google credentials for Pub/Sub: " + e.getMessage()
                        + " (on Cloud Run the job's service account is used; locally run"
                        + " `gcloud auth application-default login` or set fanout.pubsub.emulator-host)", e);
            }
        }
        PubSubEventPublisher p = PubSubEventPublisher.create(config, connection);
        String name = "projects/" + connection.projectId() + "/topics/" + config.topic() + connection.describe();
        return new TopicTarget(p, p, options, runId, name, retryFor);
    }

    @Override
    public SendOutcome send(String sourceKey, List<Line> events) throws Exception {
        if (events.isEmpty()) {
            return SendOutcome.allSent(0);
        }
        List<Envelope> envelopes = new ArrayList<>(events.size());
        for (Line l : events) {
            envelopes.add(l.envelope());
        }
        List<BusMessage> messages = new ArrayList<>();
        long rejected = 0;
        List<String> problems = new ArrayList<>();
        try {
            messages.addAll(mark(encoder.encode(envelopes, null)));
        } catch (MessageTooLargeException tooLarge) {
            // One event too big for any message: encode one by one, keep all the others.
            for (Envelope e : envelopes) {
                try {
                    messages.addAll(mark(encoder.encode(List.of(e), null)));
                } catch (MessageTooLargeException one) {
                    rejected++;
                    if (problems.size() < 10) {
                        problems.add(one.getMessage());
                    }
                }
            }
        }
        long sent = publishAll(messages);
        return new SendOutcome(sent, rejected, problems);
    }

    private List<BusMessage> mark(List<BusMessage> encoded) {
        List<BusMessage> out = new ArrayList<>(encoded.size());
        for (BusMessage m : encoded) {
            Map<String, String> a = new HashMap<>(m.attributes());
            a.put(Attributes.REPLAY, runId);
            // The encoder keeps SAFE_MESSAGE_BYTES (500 kB below the limit) for framing; the marker is < 80 bytes.
            if (m.billableSize() + Attributes.REPLAY.length() + runId.length() > PubSubLimits.MAX_MESSAGE_BYTES) {
                throw new IllegalStateException("replay marker would push a message over the Pub/Sub limit");
            }
            out.add(withAttributes(m, a));
        }
        return out;
    }

    /** Publishes every message, re-publishing transient failures until the budget is spent; returns events confirmed. */
    private long publishAll(List<BusMessage> messages) throws Exception {
        Backoff backoff = Backoff.within(retryFor);
        List<BusMessage> todo = messages;
        long confirmed = 0;
        while (true) {
            List<CompletableFuture<String>> fs = new ArrayList<>(todo.size());
            for (BusMessage m : todo) {
                fs.add(publisher.publish(m));
            }
            List<BusMessage> failed = new ArrayList<>();
            Throwable last = null;
            for (int i = 0; i < fs.size(); i++) {
                try {
                    fs.get(i).get();
                    confirmed += eventCount(todo.get(i));
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (!isTransient(cause)) {
                        throw new TargetFatalException("publishing to " + topicName + " failed: " + cause, cause);
                    }
                    failed.add(todo.get(i));
                    last = cause;
                }
            }
            if (failed.isEmpty()) {
                return confirmed;
            }
            if (!backoff.pause(null)) {
                throw new TargetFatalException("publishing to " + topicName + " still failing after "
                        + backoff.attempts() + " rounds over " + retryFor + " (last: " + last + ")", last);
            }
            todo = failed;
        }
    }

    /**
     * Publishes an undecodable dead-lettered message again, bytes and attributes as received plus the
     * replay marker (a sink fixed since may now read it). Returns once Pub/Sub confirmed it.
     */
    public void publishRaw(byte[] data, Map<String, String> attributes) throws Exception {
        Map<String, String> a = new HashMap<>(attributes);
        a.put(Attributes.REPLAY, runId);
        publishAll(List.of(message(data, PubSubLimits.sanitize(a))));
    }

    /** The only place a BusMessage is built here (its constructor is changing on the runtime branch). */
    private static BusMessage withAttributes(BusMessage m, Map<String, String> attributes) {
        return message(m.data(), attributes);
    }

    /** After the runtime-v2 merge (BusMessage(data, attributes)): drop the last two arguments. */
    private static BusMessage message(byte[] data, Map<String, String> attributes) {
        return new BusMessage(data, attributes, 1, List.of());
    }

    /** Events in a message: the packed {@code count} attribute, else one (event mode). */
    static long eventCount(BusMessage m) {
        String c = m.attributes().get(Attributes.COUNT);
        return c == null ? 1 : Long.parseLong(c);
    }

    static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EventPublisher.BackpressureException) {
                return true;
            }
            if (c instanceof ApiException api) {
                return api.isRetryable() || TRANSIENT.contains(api.getStatusCode().getCode());
            }
            if (c instanceof io.grpc.StatusRuntimeException sre) {
                return TRANSIENT.stream().anyMatch(code -> code.name().equals(sre.getStatus().getCode().name()));
            }
        }
        return false;
    }

    @Override
    public String describe() {
        return "topic " + topicName;
    }

    @Override
    public void close() throws Exception {
        closer.close();
    }
}
