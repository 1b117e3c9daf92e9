package dev.fanout.consumer.push;

import dev.fanout.consumer.Intake;
import dev.fanout.consumer.SinkBatcher;
import java.util.Collection;

/** Push delivery: Pub/Sub POSTs to {@link PushResource}, which finds the batchers in the runtime. Nothing to start. */
public final class PushIntake implements Intake {

    @Override
    public void start(Collection<SinkBatcher> batchers) {}
}
