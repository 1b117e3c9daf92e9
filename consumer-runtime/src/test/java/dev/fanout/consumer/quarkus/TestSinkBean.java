package dev.fanout.consumer.quarkus;

import dev.fanout.consumer.RecordingSink;
import dev.fanout.events.Envelope;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The app's one sink in the Quarkus-level tests ({@code @Singleton}: tests reach its fields directly). */
@Singleton
public class TestSinkBean extends RecordingSink {

    public TestSinkBean() {
        super("test");
    }

    /** Counted down when a write starts; tests install fresh latches. */
    public volatile CountDownLatch inWrite = new CountDownLatch(0);
    /** Writes wait for this before they complete. */
    public volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    protected void beforeWrite(List<Envelope> events) throws Exception {
        inWrite.countDown();
        gate.await();
    }

    /** Forget what earlier tests did. */
    public void reset() {
        inWrite = new CountDownLatch(0);
        gate.countDown();
        gate = new CountDownLatch(0);
        batches.clear();
        writeSizes.clear();
        writeCalls.set(0);
        failNext.set(0);
        permanent = false;
        rejectIds.clear();
        retryIds.clear();
        poisonIds.clear();
        notReady = null;
    }
}
