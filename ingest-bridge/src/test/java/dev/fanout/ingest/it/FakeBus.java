package dev.fanout.ingest.it;

import com.google.pubsub.v1.PubsubMessage;
import dev.fanout.events.Envelope;
import dev.fanout.events.MessageDecoder;
import dev.fanout.testsupport.pubsub.PubSubFake;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The loopback Pub/Sub fake for the Quarkus tests.
 *
 * <p>As a test resource it only reserves a loopback port and points the bridge at it: resources run
 * in the application class loader, and a fake started there would hand the tests protobuf and gRPC
 * objects of the wrong class loader (ClassCastException / LinkageError). The fake itself is started on that port by the first test that touches it
 * (before any request is sent; the publisher connects lazily) and lives until the JVM exits.
 */
public class FakeBus implements QuarkusTestResourceLifecycleManager {

    static final String TOPIC = "projects/test-project/topics/claude-events";
    private static final String PORT_PROPERTY = "fanout.test.pubsub-fake-port";

    private static PubSubFake fake;

    @Override
    public synchronized Map<String, String> start() {
        // A fresh port per application start: a test profile restarts the app with new test class
        // loaders, whose fake (a new static) must not collide with the previous profile's.
        String port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = Integer.toString(s.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty(PORT_PROPERTY, port);
        return Map.of("fanout.pubsub.emulator-host", "127.0.0.1:" + port);
    }

    @Override
    public void stop() {
        // The fake is started by the tests' class loader; it stops with the JVM.
    }

    private static synchronized PubSubFake fake() {
        if (fake == null) {
            String port = System.getProperty(PORT_PROPERTY);
            if (port == null) {
                throw new IllegalStateException("FakeBus test resource did not run");
            }
            fake = PubSubFake.start(Integer.parseInt(port));
        }
        return fake;
    }

    /** Messages the fake accepted on the bridge's topic, in acceptance order. */
    static List<PubsubMessage> messages() {
        return fake().published(TOPIC);
    }

    static List<Envelope> envelopes() {
        List<Envelope> out = new ArrayList<>();
        for (PubsubMessage m : messages()) {
            out.addAll(MessageDecoder.decode(m.getData().toByteArray(), m.getAttributesMap()));
        }
        return out;
    }

    static List<String> envelopesRaw() {
        return envelopes().stream().map(Envelope::raw).toList();
    }

    static List<String> ids() {
        return envelopes().stream().map(Envelope::id).toList();
    }

    /** Removes faults and delay and forgets what was published. */
    static void reset() {
        fake().clearFaults();
        fake().clearPublished();
    }

    static void failNext(int n, Status status) {
        fake().failNextPublishes(n, status);
    }

    /** Fails every publish RPC that carries a message {@code which} selects. */
    static void failWhen(Predicate<PubsubMessage> which, Status status) {
        fake().failPublishesWhen(r -> r.getMessagesList().stream().anyMatch(which), status);
    }

    static void delay(Duration d) {
        fake().publishDelay(d);
    }
}
