package dev.fanout.alerts.bench;

import dev.fanout.alerts.engine.BatchDelta;
import dev.fanout.alerts.engine.EventClassifier;
import dev.fanout.alerts.rules.RuleSet;
import dev.fanout.alerts.rules.RulesLoader;
import dev.fanout.alerts.rules.Timers;
import dev.fanout.events.Envelope;
import dev.fanout.events.Severity;
import dev.fanout.events.port.MessageMeta;
import dev.fanout.events.port.SinkRecord;
import dev.fanout.testsupport.events.TestEvents;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rule matching + fingerprinting ({@link EventClassifier#classify}) in events per CPU-second of the
 * measuring thread: not run by the test suite (no timing asserts); numbers in docs/benchmarks.md.
 * Usage (after {@code ./mvnw -pl alert-engine -am test-compile}):
 * {@code java -cp "$(cat alert-engine/target/cp.txt):alert-engine/target/classes:alert-engine/target/test-classes" dev.fanout.alerts.bench.RuleMatchMeasure [seconds]}
 */
public final class RuleMatchMeasure {
    private RuleMatchMeasure() {}

    private static Object sink;

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 4;
        List<String> ops = List.of("ops@example.org");
        RuleSet builtIn = RulesLoader.defaults(new RulesLoader.Defaults(ops, Timers.defaults()));
        RuleSet example = RulesLoader.load(Path.of("alert-engine/examples/alert-rules.yaml"),
                new RulesLoader.Defaults(ops, Timers.defaults()));
        Instant t = Instant.parse("2026-11-23T10:00:00Z");
        List<Envelope> nginx = TestEvents.batch(1, 10_000, t, 600_000);
        List<Envelope> allErrors = new ArrayList<>();
        for (Envelope e : nginx) {
            allErrors.add(new Envelope(e.id(), e.schema(), e.time(), e.timeSource(), e.receivedAt(), e.host(), e.source(),
                    e.sourcetype(), e.index(), Severity.ERROR, e.raw(), e.fields(), e.parseError()));
        }
        System.out.printf(Locale.ROOT, "%-44s %14s %10s%n", "case (10,000 events per batch)", "events/CPU-s", "matched");
        run("built-in rule, realistic mix (10% errors)", builtIn, nginx, seconds);
        run("built-in rule, every event an error", builtIn, allErrors, seconds);
        run("example rules file, every event an error", example, allErrors, seconds);
    }

    private static void run(String name, RuleSet rules, List<Envelope> events, double seconds) {
        EventClassifier c = new EventClassifier(rules);
        // 50 messages of 200 events, as packed bus messages arrive.
        List<SinkRecord> records = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            MessageMeta m = new MessageMeta("m-" + (i / 200), t0(), 1, Map.of());
            records.add(new SinkRecord(events.get(i), m));
        }
        List<SinkRecord> batch = records;
        // Messages share one MessageMeta instance per message, as the runtime hands them over.
        List<SinkRecord> shared = new ArrayList<>();
        MessageMeta current = null;
        for (int i = 0; i < batch.size(); i++) {
            if (i % 200 == 0) {
                current = batch.get(i).message();
            }
            shared.add(new SinkRecord(batch.get(i).envelope(), current));
        }
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long warm = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warm) {
            sink = c.classify(shared);
        }
        long events0 = 0;
        long matched = 0;
        long c0 = cpu.getCurrentThreadCpuTime();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            BatchDelta d = c.classify(shared);
            matched += d.matchedEvents();
            events0 += shared.size();
            sink = d;
        }
        double cpuSeconds = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
        System.out.printf(Locale.ROOT, "%-44s %,14.0f %9.0f%%%n", name, events0 / cpuSeconds, 100.0 * matched / events0);
    }

    private static Instant t0() {
        return Instant.parse("2026-11-23T10:00:00Z");
    }
}
