package dev.fanout.alerts;

import dev.fanout.alerts.engine.AlertEngine;
import dev.fanout.alerts.engine.BatchDelta;
import dev.fanout.alerts.state.AlertState;
import dev.fanout.alerts.state.StateConflictException;
import dev.fanout.alerts.state.StateManager;
import dev.fanout.events.port.EventSink;
import dev.fanout.events.port.WriteBatch;
import dev.fanout.events.port.WriteResult;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * The alert {@link EventSink} ({@value #NAME}): counts each batch's matching events into their
 * groups and makes the state durable (one compare-and-set write), then answers every record
 * delivered. E-mail goes out later from that state ({@link AlertScheduler}), never from a
 * redelivery: a provider quota or outage never nacks a message. Replayed events count only for
 * rules that include replays.
 */
public final class AlertSink implements EventSink {

    public static final String NAME = "alerts";

    private final AlertEngine engine;
    private final StateManager state;
    private final AlertMetrics metrics;
    private final Clock clock;
    private final Runnable afterWrite;
    private final long refreshMillis;

    /**
     * @param afterWrite called after a write that changed the state (wakes the scheduler)
     * @param refreshMillis readiness reuses a state read this recent
     */
    public AlertSink(AlertEngine engine, StateManager state, AlertMetrics metrics, Clock clock, Runnable afterWrite,
            long refreshMillis) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.state = Objects.requireNonNull(state, "state");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.afterWrite = afterWrite == null ? () -> {} : afterWrite;
        this.refreshMillis = refreshMillis;
    }

    @Override
    public String name() {
        return NAME;
    }

    public AlertEngine engine() {
        return engine;
    }

    public StateManager state() {
        return state;
    }

    /**
     * Messages no rule can take (replays when no rule counts them, or nothing severe enough, by the
     * bridge's attributes) are acked without decoding: for live traffic that is most messages, and
     * a replay into a pipeline with alerts on costs them nothing.
     */
    @Override
    public boolean wants(Map<String, String> messageAttributes) {
        return engine.settings().rules().mayMatch(messageAttributes);
    }

    @Override
    public WriteResult write(WriteBatch batch) throws Exception {
        BatchDelta delta = engine.classify(batch.records());
        metrics.replayedIgnored(delta.replayedSkipped());
        if (delta.isEmpty()) {
            return WriteResult.allDelivered();
        }
        long[] duplicates = new long[1];
        boolean changed = state.update(s -> {
            long before = s.total(AlertEngine.T_DUPLICATES);
            boolean c = engine.apply(s, delta, clock.millis());
            duplicates[0] = s.total(AlertEngine.T_DUPLICATES) - before;
            return c;
        }, Long.MAX_VALUE);
        metrics.matched(delta.matchedEvents());
        metrics.duplicates(duplicates[0]);
        if (changed) {
            afterWrite.run();
        }
        return WriteResult.allDelivered();
    }

    /** Transient: the state store's transient failures and lost compare-and-set races. */
    @Override
    public boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StateConflictException) {
                return true;
            }
        }
        return state.store().isTransient(failure);
    }

    /** Reads the state the way a write does (R2 GET, or the local file). */
    @Override
    public void checkReady() throws Exception {
        state.read(AlertState::hashCode, refreshMillis);
    }

    @Override
    public String toString() {
        return "AlertSink[" + engine.settings().rules().source() + ", state " + state.store().describe() + "]";
    }
}
