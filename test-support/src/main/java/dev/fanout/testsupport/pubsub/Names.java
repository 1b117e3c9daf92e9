package dev.fanout.testsupport.pubsub;

import io.grpc.Status;
import java.util.regex.Pattern;

/** Resource-name helpers: the fake stores full names, tests may pass short ids. */
final class Names {

    private static final Pattern TOPIC = Pattern.compile("projects/[^/]+/topics/[^/]+");
    private static final Pattern SUBSCRIPTION = Pattern.compile("projects/[^/]+/subscriptions/[^/]+");

    private Names() {
    }

    static String topic(String project, String topic) {
        return topic.startsWith("projects/") ? topic : "projects/" + project + "/topics/" + topic;
    }

    static String subscription(String project, String subscription) {
        return subscription.startsWith("projects/")
                ? subscription
                : "projects/" + project + "/subscriptions/" + subscription;
    }

    static String requireTopic(String name) {
        if (name == null || !TOPIC.matcher(name).matches()) {
            throw Status.INVALID_ARGUMENT.withDescription("Invalid topic name: " + name).asRuntimeException();
        }
        return name;
    }

    static String requireSubscription(String name) {
        if (name == null || !SUBSCRIPTION.matcher(name).matches()) {
            throw Status.INVALID_ARGUMENT.withDescription("Invalid subscription name: " + name)
                    .asRuntimeException();
        }
        return name;
    }

    /** True when {@code key} is the full name or its last path segment (the short id). */
    static boolean matches(String fullName, String key) {
        if (fullName.equals(key)) {
            return true;
        }
        return !key.contains("/") && fullName.endsWith("/" + key);
    }
}
