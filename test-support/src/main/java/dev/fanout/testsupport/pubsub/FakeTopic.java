package dev.fanout.testsupport.pubsub;

import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.Topic;
import java.util.ArrayList;
import java.util.List;

/** One topic: its resource and every accepted message, in acceptance order. */
final class FakeTopic {

    private final Topic resource;
    private final List<PubsubMessage> messages = new ArrayList<>();
    private long acceptedCount;

    FakeTopic(Topic resource) {
        this.resource = resource;
    }

    Topic resource() {
        return resource;
    }

    String name() {
        return resource.getName();
    }

    synchronized void add(List<PubsubMessage> accepted, boolean retain) {
        acceptedCount += accepted.size();
        if (retain) {
            messages.addAll(accepted);
        }
    }

    synchronized List<PubsubMessage> snapshot() {
        return List.copyOf(messages);
    }

    synchronized long acceptedCount() {
        return acceptedCount;
    }

    synchronized void clear() {
        messages.clear();
        acceptedCount = 0;
    }

    synchronized int size() {
        return messages.size();
    }
}
