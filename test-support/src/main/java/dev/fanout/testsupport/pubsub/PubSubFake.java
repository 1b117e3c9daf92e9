package dev.fanout.testsupport.pubsub;

import com.google.protobuf.Timestamp;
import com.google.pubsub.v1.PublishRequest;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.PushConfig;
import com.google.pubsub.v1.Subscription;
import com.google.pubsub.v1.Topic;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * A loopback gRPC fake of Google Cloud Pub/Sub that the real {@code Publisher} and
 * {@code Subscriber} clients talk to through a plaintext channel and {@code NoCredentialsProvider}
 * (exactly what {@code PUBSUB_EMULATOR_HOST} / {@code quarkus.google.cloud.pubsub.emulator-host}
 * set up).
 *
 * <pre>{@code
 * try (PubSubFake fake = PubSubFake.start()) {
 *     fake.createSubscription("p", "s", "t", 10);
 *     // point the client at fake.hostPort(), publish to projects/p/topics/t ...
 *     fake.awaitPublished("t", 3, Duration.ofSeconds(10));
 *     fake.failNextPublishes(1, Status.UNAVAILABLE);
 * }
 * }</pre>
 *
 * <p>Behaviour that differs from the real service on purpose: the server keeps every accepted
 * message per topic for assertions; topics are auto-created on publish unless
 * {@link #autoCreateTopics(boolean)} turns it off; ack deadlines below 10 s are accepted (tests
 * need quick expiry); {@code delivery_attempt} is always set (no dead-letter policy needed);
 * a Publish whose caller already cancelled (e.g. its deadline passed during an injected delay)
 * stores nothing.
 *
 * <p>Names: methods taking a topic or subscription accept the full resource name
 * ({@code projects/p/topics/t}) or the short id ({@code t}); a short id matches that id in every
 * project. All public methods are thread-safe.
 */
public final class PubSubFake implements AutoCloseable {

    /** Message size cap of inbound gRPC frames; above Pub/Sub's 10 MB publish request limit. */
    private static final int MAX_INBOUND_BYTES = 20 * 1024 * 1024;
    private static final Duration POLL = Duration.ofMillis(5);
    private static final Duration EXPIRY_SCAN = Duration.ofMillis(50);

    private final ConcurrentHashMap<String, FakeTopic> topics = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, FakeSubscription> subscriptions = new ConcurrentHashMap<>();
    private final AtomicLong messageIds = new AtomicLong();
    private final AtomicInteger publishRequests = new AtomicInteger();
    private final AtomicInteger abandonedPublishes = new AtomicInteger();
    private final PublishFaults faults = new PublishFaults();
    private final ScheduledExecutorService scheduler;
    private final HttpClient httpClient;
    private final Server server;

    private volatile boolean autoCreateTopics = true;
    private volatile boolean retainPublished = true;
    private volatile boolean redeliverOnStreamClose;
    private volatile Status streamingPullFault;
    private volatile Duration pushMinBackoff = Duration.ofMillis(100);
    private volatile Duration pushMaxBackoff = Duration.ofSeconds(10);
    /** 0 = adaptive (Pub/Sub's slow start), else a fixed number of concurrent pushes. */
    private volatile int pushConcurrency = 0;

    private PubSubFake(int port) {
        scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "pubsub-fake-scheduler");
            t.setDaemon(true);
            return t;
        });
        // HTTP/1.1 like Pub/Sub's pushes; the JDK default would try an h2c upgrade on http:// URLs.
        httpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .addService(new PublisherService(this))
                .addService(new SubscriberService(this))
                .maxInboundMessageSize(MAX_INBOUND_BYTES)
                // Google clients send keepalive pings every few tens of seconds; the default
                // server policy would answer them with GOAWAY(too_many_pings).
                .permitKeepAliveTime(1, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .build();
        try {
            server.start();
        } catch (IOException e) {
            scheduler.shutdownNow();
            throw new UncheckedIOException("Cannot start the Pub/Sub fake on 127.0.0.1:" + port, e);
        }
        scheduler.scheduleWithFixedDelay(this::expireLeases, EXPIRY_SCAN.toMillis(), EXPIRY_SCAN.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Starts the fake on an ephemeral loopback port. */
    public static PubSubFake start() {
        return start(0);
    }

    /**
     * Starts the fake on {@code 127.0.0.1:port}.
     *
     * @param port TCP port, 0 for an ephemeral one
     */
    public static PubSubFake start(int port) {
        return new PubSubFake(port);
    }

    /** {@code 127.0.0.1:PORT}, the value for {@code PUBSUB_EMULATOR_HOST}. */
    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    /** The TCP port the fake listens on. */
    public int port() {
        return server.getPort();
    }

    /** Stops the server, push deliveries and timers; idempotent. */
    @Override
    public void close() {
        subscriptions.values().forEach(FakeSubscription::shutdown);
        server.shutdownNow();
        scheduler.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ options

    /** Whether Publish to an unknown topic creates it (default true, so local runs need no setup). */
    public PubSubFake autoCreateTopics(boolean enabled) {
        autoCreateTopics = enabled;
        return this;
    }

    /**
     * Whether accepted messages are kept for {@link #published(String)} (default true). Turn off for
     * long load runs so memory stays flat; subscriptions still receive every message.
     */
    public PubSubFake retainPublished(boolean enabled) {
        retainPublished = enabled;
        return this;
    }

    /**
     * Whether messages leased to a StreamingPull stream go back to the queue as soon as that stream
     * ends (default false: like Pub/Sub, they wait for their ack deadline). Speeds up tests that stop
     * a consumer mid-batch.
     */
    public PubSubFake redeliverOnStreamClose(boolean enabled) {
        redeliverOnStreamClose = enabled;
        return this;
    }

    /** Backoff between failed push attempts of one message: min * 2^(attempt-1), capped at max. */
    public PubSubFake pushBackoff(Duration min, Duration max) {
        if (min.isNegative() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("need 0 <= min <= max: " + min + ", " + max);
        }
        pushMinBackoff = min;
        pushMaxBackoff = max;
        return this;
    }

    /**
     * Concurrent HTTP pushes per push subscription created afterwards. Default 0 = adaptive like
     * Pub/Sub's push window: starts at {@link FakeSubscription#ADAPTIVE_START}, grows by one with
     * every successful push while a backlog waits (up to {@link FakeSubscription#ADAPTIVE_MAX}) and
     * halves on every failed one. A positive value fixes it.
     */
    public PubSubFake pushConcurrency(int concurrency) {
        if (concurrency < 0) {
            throw new IllegalArgumentException("concurrency must be >= 0 (0 = adaptive): " + concurrency);
        }
        pushConcurrency = concurrency;
        return this;
    }

    // ------------------------------------------------------------------ admin

    /**
     * Creates a topic if it does not exist.
     *
     * @return the full topic name {@code projects/<project>/topics/<topic>}
     */
    public String createTopic(String project, String topic) {
        String name = Names.requireTopic(Names.topic(project, topic));
        return createTopicResource(Topic.newBuilder().setName(name).build(), false).getName();
    }

    /**
     * Creates a pull subscription (and its topic if missing); replaces nothing if it exists.
     *
     * @param ackDeadlineSeconds ack deadline in seconds (values below Pub/Sub's minimum of 10 are
     *     accepted so tests can see expiry quickly)
     * @return the full subscription name
     */
    public String createSubscription(String project, String subscription, String topic, int ackDeadlineSeconds) {
        String topicName = createTopic(project, topic);
        Subscription resource = Subscription.newBuilder()
                .setName(Names.requireSubscription(Names.subscription(project, subscription)))
                .setTopic(topicName)
                .setAckDeadlineSeconds(ackDeadlineSeconds)
                .build();
        return createSubscriptionResource(resource, null, false).name();
    }

    /**
     * Creates a push subscription: each message is POSTed as a Pub/Sub push JSON body to
     * {@code endpoint}; a 2xx answer acks it, anything else (or no answer within the ack deadline)
     * redelivers it after a capped exponential backoff (see {@link #pushBackoff}).
     *
     * @param bearerTokenOrNull supplies the {@code Authorization: Bearer} token per request, or null
     *     for no header
     * @param ackDeadlineSeconds ack deadline in seconds, also the HTTP request timeout
     * @return the full subscription name
     */
    public String createPushSubscription(String project, String subscription, String topic, URI endpoint,
            Supplier<String> bearerTokenOrNull, int ackDeadlineSeconds) {
        Objects.requireNonNull(endpoint, "endpoint");
        String topicName = createTopic(project, topic);
        Subscription resource = Subscription.newBuilder()
                .setName(Names.requireSubscription(Names.subscription(project, subscription)))
                .setTopic(topicName)
                .setAckDeadlineSeconds(ackDeadlineSeconds)
                .setPushConfig(PushConfig.newBuilder().setPushEndpoint(endpoint.toString()))
                .build();
        return createSubscriptionResource(resource, bearerTokenOrNull, false).name();
    }

    /**
     * Publishes directly, without gRPC, as if a Publish RPC had been accepted: ids and publish time
     * are assigned, subscriptions receive the messages, the topic is created if missing. Injected
     * publish faults do not apply. Handy for feeding subscriber-side tests.
     *
     * @param topic full topic name {@code projects/<project>/topics/<topic>}
     * @return the assigned message ids, in order
     */
    public List<String> publish(String topic, List<PubsubMessage> messages) {
        Names.requireTopic(topic);
        FakeTopic target = topics.computeIfAbsent(topic, n -> new FakeTopic(Topic.newBuilder().setName(n).build()));
        return accept(target, messages).stream().map(PubsubMessage::getMessageId).toList();
    }

    /** Whether a topic exists (full name or short id). */
    public boolean hasTopic(String topic) {
        return topics.values().stream().anyMatch(t -> Names.matches(t.name(), topic));
    }

    // ------------------------------------------------------------------ publish observation

    /**
     * Every message accepted on the topic so far, in acceptance order, with the server-assigned
     * {@code messageId} and {@code publishTime}.
     */
    public List<PubsubMessage> published(String topic) {
        List<PubsubMessage> all = new ArrayList<>();
        topics.values().stream().filter(t -> Names.matches(t.name(), topic))
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .forEach(t -> all.addAll(t.snapshot()));
        return List.copyOf(all);
    }

    /** Publish RPCs received, including rejected ones. */
    public int publishRequestCount() {
        return publishRequests.get();
    }

    /**
     * Publish RPCs whose caller had already gone (deadline passed or cancelled, typically during an
     * injected {@link #publishDelay}) when the fake was ready to answer; they stored nothing.
     */
    public int abandonedPublishCount() {
        return abandonedPublishes.get();
    }

    /**
     * Waits until at least {@code n} Publish RPCs were abandoned by their callers.
     *
     * @throws AssertionError when the timeout passes first
     */
    public void awaitAbandonedPublishes(int n, Duration timeout) {
        await(() -> abandonedPublishes.get() >= n, timeout,
                () -> "expected >= " + n + " abandoned publish RPCs, got " + abandonedPublishes.get());
    }

    /**
     * Waits until at least {@code n} messages were accepted on the topic.
     *
     * @return the accepted messages at that moment
     * @throws AssertionError when the timeout passes first
     */
    public List<PubsubMessage> awaitPublished(String topic, int n, Duration timeout) {
        await(() -> published(topic).size() >= n, timeout,
                () -> "expected >= " + n + " messages published on " + topic + ", got " + published(topic).size());
        return published(topic);
    }

    /** Forgets the stored messages and the publish RPC counters (topics and subscriptions stay). */
    public void clearPublished() {
        topics.values().forEach(FakeTopic::clear);
        publishRequests.set(0);
        abandonedPublishes.set(0);
    }

    // ------------------------------------------------------------------ fault injection

    /** Fails the next {@code count} Publish RPCs with {@code status}; they store nothing. */
    public PubSubFake failNextPublishes(int count, Status status) {
        faults.failNext(count, injected(status));
        return this;
    }

    /**
     * Fails every Publish RPC the predicate selects, until {@link #clearFaults()}. With the client's
     * batching, one client batch spans several RPCs, so this makes partially failed batches.
     */
    public PubSubFake failPublishesWhen(Predicate<PublishRequest> predicate, Status status) {
        faults.failWhen(predicate, injected(status), 0);
        return this;
    }

    /** Like {@link #failPublishesWhen(Predicate, Status)} but for at most {@code maxTimes} RPCs. */
    public PubSubFake failPublishesWhen(Predicate<PublishRequest> predicate, Status status, int maxTimes) {
        if (maxTimes < 1) {
            throw new IllegalArgumentException("maxTimes must be >= 1: " + maxTimes);
        }
        faults.failWhen(predicate, injected(status), maxTimes);
        return this;
    }

    /** Fails every Publish RPC with {@code status} until {@link #clearFaults()}. */
    public PubSubFake failAllPublishes(Status status) {
        faults.failAll(injected(Objects.requireNonNull(status, "status")));
        return this;
    }

    /**
     * Delays every Publish answer (success or injected failure) by {@code delay}, like a slow
     * Pub/Sub. Use {@link Duration#ZERO} to turn it off.
     */
    public PubSubFake publishDelay(Duration delay) {
        faults.delay(delay);
        return this;
    }

    /**
     * StreamingPull is unavailable until {@link #clearFaults()}: every open stream ends with
     * {@code status} (its leases run out at their deadline, as on Pub/Sub) and every new one fails
     * at once, so subscribers retry with their backoff.
     */
    public PubSubFake failStreamingPulls(Status status) {
        streamingPullFault = injected(Objects.requireNonNull(status, "status"));
        subscriptions.values().forEach(s -> s.endStreams(streamingPullFault));
        return this;
    }

    Status streamingPullFault() {
        return streamingPullFault;
    }

    /** Removes every injected failure (Publish and StreamingPull) and the publish delay. */
    public PubSubFake clearFaults() {
        faults.clear();
        streamingPullFault = null;
        return this;
    }

    private static Status injected(Status status) {
        return status.getDescription() == null ? status.withDescription("injected by PubSubFake") : status;
    }

    // ------------------------------------------------------------------ subscriber observation
    // Each counter sums over the subscriptions matching the name and throws
    // IllegalArgumentException when none matches, so a typo fails the test instead of reading 0.

    /** Messages acknowledged on the subscription (current deliveries only; stale acks don't count). */
    public int acked(String subscription) {
        return sum(subscription, FakeSubscription::acked);
    }

    /** Messages delivered and neither acked, nacked nor expired yet. */
    public int outstanding(String subscription) {
        return sum(subscription, FakeSubscription::outstanding);
    }

    /** Negative acknowledgements: ModifyAckDeadline 0 for pull, non-2xx / timeout for push. */
    public int nacked(String subscription) {
        return sum(subscription, FakeSubscription::nacked);
    }

    /** Leases that ran past their ack deadline and were put back for redelivery. */
    public int expired(String subscription) {
        return sum(subscription, FakeSubscription::expired);
    }

    /** Deliveries made (first deliveries and redeliveries). */
    public int delivered(String subscription) {
        return sum(subscription, FakeSubscription::delivered);
    }

    /** Messages waiting for delivery (queued or in push backoff). */
    public int pending(String subscription) {
        return sum(subscription, FakeSubscription::pending);
    }

    /**
     * Waits until at least {@code n} messages were acked on the subscription.
     *
     * @return the ack count at that moment
     * @throws AssertionError when the timeout passes first
     */
    public int awaitAcked(String subscription, int n, Duration timeout) {
        await(() -> acked(subscription) >= n, timeout,
                () -> "expected >= " + n + " acks on " + subscription + ", got " + acked(subscription)
                        + " (outstanding " + outstanding(subscription) + ", nacked " + nacked(subscription) + ")");
        return acked(subscription);
    }

    private int sum(String subscription, ToIntFunction<FakeSubscription> counter) {
        List<FakeSubscription> matching = subscriptions.values().stream()
                .filter(s -> Names.matches(s.name(), subscription)).toList();
        if (matching.isEmpty()) {
            throw new IllegalArgumentException("No such subscription: " + subscription);
        }
        return matching.stream().mapToInt(counter).sum();
    }

    private static void await(java.util.function.BooleanSupplier condition, Duration timeout,
            Supplier<String> failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(failure.get() + " within " + timeout);
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + failure.get(), e);
            }
        }
    }

    // ------------------------------------------------------------------ internals for the services

    PublishFaults faults() {
        return faults;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    HttpClient httpClient() {
        return httpClient;
    }

    boolean redeliverOnStreamCloseEnabled() {
        return redeliverOnStreamClose;
    }

    Duration pushBackoff(int attempt) {
        long min = pushMinBackoff.toMillis();
        long max = pushMaxBackoff.toMillis();
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        return Duration.ofMillis(Math.min(max, min << shift < 0 ? max : min << shift));
    }

    void countPublishRequest() {
        publishRequests.incrementAndGet();
    }

    void countAbandonedPublish() {
        abandonedPublishes.incrementAndGet();
    }

    Collection<FakeTopic> topics() {
        return topics.values();
    }

    FakeTopic topic(String name) {
        return topics.get(name);
    }

    FakeTopic topicForPublish(String name) {
        FakeTopic topic = topics.get(name);
        if (topic == null && autoCreateTopics) {
            topic = topics.computeIfAbsent(name, n -> new FakeTopic(Topic.newBuilder().setName(n).build()));
        }
        return topic;
    }

    Topic createTopicResource(Topic request, boolean failIfExists) {
        Names.requireTopic(request.getName());
        FakeTopic created = new FakeTopic(request);
        FakeTopic existing = topics.putIfAbsent(request.getName(), created);
        if (existing != null && failIfExists) {
            throw Status.ALREADY_EXISTS.withDescription("Topic already exists: " + request.getName())
                    .asRuntimeException();
        }
        return existing != null ? existing.resource() : created.resource();
    }

    boolean deleteTopic(String name) {
        return topics.remove(name) != null;
    }

    FakeSubscription subscription(String name) {
        return subscriptions.get(name);
    }

    Collection<FakeSubscription> subscriptions() {
        return subscriptions.values();
    }

    List<FakeSubscription> subscriptionsOf(String topic) {
        return subscriptions.values().stream().filter(s -> s.topic().equals(topic))
                .sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    FakeSubscription createSubscriptionResource(Subscription request, Supplier<String> bearerToken,
            boolean failIfExists) {
        Names.requireSubscription(request.getName());
        Names.requireTopic(request.getTopic());
        if (!topics.containsKey(request.getTopic())) {
            if (!autoCreateTopics) {
                throw notFound("Topic", request.getTopic());
            }
            topicForPublish(request.getTopic());
        }
        Subscription resource = request.getAckDeadlineSeconds() > 0
                ? request
                : request.toBuilder().setAckDeadlineSeconds(10).build();
        FakeSubscription created = new FakeSubscription(this, resource, bearerToken, pushConcurrency);
        FakeSubscription existing = subscriptions.putIfAbsent(resource.getName(), created);
        if (existing != null) {
            if (failIfExists) {
                throw Status.ALREADY_EXISTS.withDescription("Subscription already exists: " + resource.getName())
                        .asRuntimeException();
            }
            return existing;
        }
        return created;
    }

    boolean deleteSubscription(String name) {
        FakeSubscription removed = subscriptions.remove(name);
        if (removed != null) {
            removed.shutdown();
        }
        return removed != null;
    }

    /** Assigns ids and publish time, stores, and fans out to the topic's subscriptions. */
    List<PubsubMessage> accept(FakeTopic topic, List<PubsubMessage> messages) {
        Instant now = Instant.now();
        Timestamp publishTime = Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
        List<PubsubMessage> accepted = new ArrayList<>(messages.size());
        // The lock makes ids increase in storage order even with concurrent publishers.
        synchronized (topic) {
            for (PubsubMessage m : messages) {
                accepted.add(m.toBuilder()
                        .setMessageId(Long.toString(messageIds.incrementAndGet()))
                        .setPublishTime(publishTime)
                        .build());
            }
            topic.add(accepted, retainPublished);
            // Inside the lock so subscriptions see messages in id order.
            for (FakeSubscription subscription : subscriptionsOf(topic.name())) {
                subscription.enqueue(accepted);
            }
        }
        return accepted;
    }

    private void expireLeases() {
        try {
            long now = System.nanoTime();
            subscriptions.values().forEach(s -> s.expire(now));
        } catch (RuntimeException e) {
            // Keep the periodic task alive: one bad state must not stop redelivery everywhere.
            System.err.println("pubsub-fake: lease expiry failed: " + e);
        }
    }

    static StatusRuntimeException notFound(String what, String name) {
        return Status.NOT_FOUND.withDescription(what + " not found: " + name).asRuntimeException();
    }
}
