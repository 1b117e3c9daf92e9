package dev.fanout.testsupport.pubsub;

import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link PubSubFake} as a standalone process for local multi-process runs:
 *
 * <pre>
 * java -jar test-support/target/test-support-0.1.0-SNAPSHOT-standalone.jar --port 8085 \
 *     --project local-project --topic claude-events --subscription archive \
 *     [--push-endpoint http://127.0.0.1:8081/push]
 * export PUBSUB_EMULATOR_HOST=127.0.0.1:8085
 * </pre>
 *
 * <p>Options: {@code --port} (default 8085, 0 = ephemeral), {@code --project} (default
 * {@value #DEFAULT_PROJECT}), {@code --topic} (repeatable, pre-created), {@code --subscription}
 * (repeatable, on the last {@code --topic}), {@code --push-endpoint} (makes the preceding
 * {@code --subscription} a push subscription), {@code --push-token} (static bearer token sent with
 * the preceding push subscription's requests), {@code --ack-deadline} seconds (default 10),
 * {@code --no-retain} (do not keep published messages in memory; for load runs), {@code --push-concurrency}
 * (concurrent pushes per push subscription; default 0 = adaptive like Pub/Sub's push window). Prints one line
 * {@code pubsub-fake listening on 127.0.0.1:PORT} and runs until SIGTERM / Ctrl-C.
 */
public final class PubSubFakeMain {

    /** Port of the real Pub/Sub emulator, so existing PUBSUB_EMULATOR_HOST habits work. */
    public static final int DEFAULT_PORT = 8085;
    /** Project used for {@code --topic} / {@code --subscription} when {@code --project} is absent. */
    public static final String DEFAULT_PROJECT = "local-project";
    private static final int DEFAULT_ACK_DEADLINE_SECONDS = 10;

    private PubSubFakeMain() {
    }

    /** Starts the fake from command-line options and blocks until the JVM is asked to stop. */
    public static void main(String[] args) throws InterruptedException {
        PubSubFake fake;
        try {
            fake = start(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("pubsub-fake: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            // Typically the port is taken.
            System.err.println("pubsub-fake: cannot start: " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            fake.close();
            stopped.countDown();
        }, "pubsub-fake-shutdown"));
        stopped.await();
    }

    /**
     * Parses {@code args}, starts the fake, creates the named resources and prints the listening
     * line to {@code out}. The caller owns the returned fake.
     *
     * @throws IllegalArgumentException on bad arguments
     */
    public static PubSubFake start(String[] args, PrintStream out) {
        int port = DEFAULT_PORT;
        String project = DEFAULT_PROJECT;
        int ackDeadline = DEFAULT_ACK_DEADLINE_SECONDS;
        boolean retain = true;
        int pushConcurrency = 0;
        String topic = null;
        List<String[]> subscriptions = new ArrayList<>(); // {topic, name, pushEndpoint|null, token|null}
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--port" -> port = parseInt(arg, value(args, ++i, arg));
                case "--project" -> project = value(args, ++i, arg);
                case "--ack-deadline" -> ackDeadline = parseInt(arg, value(args, ++i, arg));
                case "--no-retain" -> retain = false;
                case "--push-concurrency" -> pushConcurrency = parseInt(arg, value(args, ++i, arg));
                case "--topic" -> {
                    topic = value(args, ++i, arg);
                    topics.add(topic);
                }
                case "--subscription" -> {
                    if (topic == null) {
                        throw new IllegalArgumentException("--subscription needs a preceding --topic");
                    }
                    subscriptions.add(new String[] {topic, value(args, ++i, arg), null, null});
                }
                case "--push-endpoint" -> {
                    if (subscriptions.isEmpty()) {
                        throw new IllegalArgumentException("--push-endpoint needs a preceding --subscription");
                    }
                    subscriptions.get(subscriptions.size() - 1)[2] = value(args, ++i, arg);
                }
                case "--push-token" -> {
                    if (subscriptions.isEmpty() || subscriptions.get(subscriptions.size() - 1)[2] == null) {
                        throw new IllegalArgumentException("--push-token needs a preceding --push-endpoint");
                    }
                    subscriptions.get(subscriptions.size() - 1)[3] = value(args, ++i, arg);
                }
                case "--help", "-h" -> throw new IllegalArgumentException("usage requested");
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        PubSubFake fake = PubSubFake.start(port).retainPublished(retain).pushConcurrency(pushConcurrency);
        try {
            for (String t : topics) {
                fake.createTopic(project, t);
            }
            for (String[] s : subscriptions) {
                if (s[2] == null) {
                    fake.createSubscription(project, s[1], s[0], ackDeadline);
                } else {
                    String token = s[3];
                    fake.createPushSubscription(project, s[1], s[0], URI.create(s[2]),
                            token == null ? null : () -> token, ackDeadline);
                }
            }
        } catch (RuntimeException e) {
            fake.close();
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        out.println("pubsub-fake listening on " + fake.hostPort());
        out.flush();
        return fake;
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int parseInt(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects a number, got " + value);
        }
    }

    private static String usage() {
        return "usage: pubsub-fake [--port 8085] [--project local-project] [--ack-deadline 10] [--no-retain]\n"
                + "                   [--push-concurrency N (default 0: adaptive, like Pub/Sub)]\n"
                + "                   [--topic T [--subscription S [--push-endpoint URL [--push-token TOKEN]]]...]...";
    }
}
