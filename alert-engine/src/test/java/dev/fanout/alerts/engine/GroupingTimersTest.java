package dev.fanout.alerts.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.alerts.state.AlertState;
import dev.fanout.alerts.support.Events;
import dev.fanout.alerts.support.Harness;
import dev.fanout.alerts.support.InMemoryStateStore;
import dev.fanout.alerts.support.MutableClock;
import dev.fanout.alerts.support.RecordingChannel;
import dev.fanout.events.Envelope;
import dev.fanout.events.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Alertmanager's timers on a hand-moved clock: no sleeps, every step observed through the e-mails sent. */
class GroupingTimersTest {

    private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final RecordingChannel mail = new RecordingChannel();

    private Harness harness(String rulesYaml) {
        return new Harness(Harness.settings(rulesYaml == null ? Harness.defaultRules() : Harness.rules(rulesYaml)),
                new InMemoryStateStore(), mail, clock);
    }

    private static List<Envelope> refused(int n, String[] hosts, Instant t) {
        List<Envelope> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Events.event(hosts[i % hosts.length], "postgres", Severity.ERROR,
                    "connection refused to 10.0.0." + (i % 250) + ":5432", t.plusMillis(i)));
        }
        return out;
    }

    @Test
    void tenThousandConnectionRefusedLinesAreOneGroupAndOneEmailAfterGroupWait() throws Exception {
        Harness h = harness("""
                rules:
                  - name: db
                    match: {severity: error}
                    group-by: [sourcetype, template]
                """);
        String[] hosts = {"db-1", "db-1", "db-1", "db-2", "db-3"};
        for (int b = 0; b < 10; b++) {
            h.sink.write(Events.batch(refused(1000, hosts, START.plusSeconds(b))));
        }
        assertThat(h.state.<Integer>read(s -> s.groups.size(), 0)).isEqualTo(1);

        clock.advance(Duration.ofSeconds(29));
        h.scheduler.runOnce();
        assertThat(mail.accepted).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        h.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(1);
        JsonNode body = mail.accepted.get(0).body;
        assertThat(body.get("from").asText()).isEqualTo("Fanout <alerts@example.org>");
        assertThat(body.get("to")).extracting(JsonNode::asText).containsExactly("ops@example.org");
        assertThat(body.get("subject").asText()).isEqualTo("[fanout] db: 10,000 × connection refused to <ip> on db-1");
        String text = body.get("text").asText();
        assertThat(text).contains("Rule:        db (normal)")
                .contains("Events:      10,000 since")
                .contains("First seen:  2026-11-23T10:00:00Z")
                .contains("Last seen:   2026-11-23T10:00:09.999Z")
                .contains("Top hosts:   db-1 (6,000), db-2 (2,000), db-3 (2,000)")
                .contains("connection refused to 10.0.0.0:5432")
                .contains("REGEXP_CONTAINS(raw, '^connection\\s+refused\\s+to\\s+.*')")
                .contains("FROM `proj.fanout.events`")
                .contains("read_json_auto('data/archive/events/dt=2026-11-23/hr=*/*.ndjson.gz')");
        assertThat(text.lines().filter(l -> l.startsWith("  2026-11-23T")).count()).isEqualTo(3);
        assertThat(body.get("html").asText()).contains("<h2>db: 10,000 events</h2>");
        assertThat(mail.accepted.get(0).key).startsWith("alert-db-").endsWith("-" + START.toEpochMilli() + "-0");

        // Nothing new: nothing more, however long we wait.
        clock.advance(Duration.ofHours(5));
        h.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(1);
    }

    @Test
    void moreOfTheSameWaitsForRepeatIntervalANewKindOfEventForGroupInterval() throws Exception {
        Harness h = harness("""
                rules:
                  - name: per-host
                    match: {severity: error}
                    group-by: [host]
                """);
        h.sink.write(Events.batch(List.of(Events.event("web-1", "app", Severity.ERROR, "timeout calling payments after 30 s", clock.instant()))));
        clock.advance(Duration.ofSeconds(30));
        h.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(1);

        // The same template again: group-interval (5 min) is not enough, repeat-interval (4 h) is.
        clock.advance(Duration.ofMinutes(1));
        h.sink.write(Events.batch(List.of(Events.event("web-1", "app", Severity.ERROR, "timeout calling payments after 31 s", clock.instant()))));
        clock.advance(Duration.ofMinutes(5));
        h.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(1);
        clock.set(START.plusSeconds(30).plus(Duration.ofHours(4)).minusSeconds(1));
        h.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        h.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(2);
        assertThat(mail.accepted.get(1).body.get("subject").asText()).contains("1 × timeout calling payments");

        // A new kind of event in the group: group-interval applies.
        Instant second = clock.instant();
        h.sink.write(Events.batch(List.of(Events.event("web-1", "app", Severity.ERROR, "disk full on /var", clock.instant()))));
        clock.set(second.plus(Duration.ofMinutes(5)).minusMillis(1));
        h.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(2);
        clock.set(second.plus(Duration.ofMinutes(5)));
        h.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(3);
        assertThat(mail.accepted.get(2).body.get("text").asText()).contains("disk full on /var");
    }

    @Test
    void aGroupSilentForRepeatIntervalIsForgottenAndANewOneStartsWithGroupWait() throws Exception {
        Harness h = harness(null);
        h.sink.write(Events.batch(List.of(Events.event("web-1", "app", Severity.ERROR, "boom 1", clock.instant()))));
        clock.advance(Duration.ofSeconds(30));
        h.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(1);
        clock.advance(Duration.ofHours(4));
        h.scheduler.runOnce();
        assertThat(h.state.<Integer>read(s -> s.groups.size(), 0)).isZero();

        h.sink.write(Events.batch(List.of(Events.event("web-1", "app", Severity.ERROR, "boom 2", clock.instant()))));
        clock.advance(Duration.ofSeconds(29));
        h.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        h.scheduler.runOnce();
        assertThat(mail.accepted).hasSize(2);
    }

    @Test
    void theDefaultRuleGroupsByHostSourcetypeAndTemplate() throws Exception {
        Harness h = harness(null);
        List<Envelope> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(Events.event("web-" + (i % 3), "app", Severity.ERROR, "user " + i + " not found", clock.instant()));
            events.add(Events.event("web-" + (i % 3), "app", Severity.WARNING, "slow request " + i, clock.instant()));
        }
        events.add(Events.event("web-0", "worker", Severity.CRITICAL, "user 7 not found", clock.instant()));
        h.sink.write(Events.batch(events));
        clock.advance(Duration.ofSeconds(30));
        h.scheduler.runOnce();
        // 3 hosts × app + web-0 × worker; warnings do not alert.
        assertThat(mail.accepted).hasSize(4);
        assertThat(mail.accepted).allSatisfy(e -> assertThat(e.body.get("subject").asText()).contains("user <num> not found"));
        // Planned in one tick, they went out as one batch request.
        assertThat(mail.requests).hasSize(1).allSatisfy(k -> assertThat(k).startsWith("batch-"));
    }

    @Test
    void replayedEventsDoNotAlertUnlessTheRuleSaysSo() throws Exception {
        Harness h = harness("""
                rules:
                  - name: audit
                    match: {severity: error, index: audit}
                    replayed: true
                  - name: default
                    match: {severity: error}
                """);
        Envelope live = Events.event("web-1", "app", Severity.ERROR, "payment failed", clock.instant());
        h.sink.write(Events.batch(Events.replayMessage("r-1"), List.of(live)));
        clock.advance(Duration.ofMinutes(1));
        h.scheduler.runOnce();
        assertThat(mail.accepted).isEmpty();
        assertThat(h.state.<Long>read(s -> s.total(AlertEngine.T_EVENTS), 0)).isZero();

        Envelope audit = new Envelope("audit-1", 1, clock.instant(), Envelope.TimeSource.EVENT, clock.instant(), "idp", "x",
                "auth", "audit", Severity.ERROR, "login failed", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), null);
        h.sink.write(Events.batch(Events.replayMessage("r-2"), List.of(audit)));
        clock.advance(Duration.ofMinutes(1));
        h.scheduler.runOnce();
        assertThat(mail.accepted).singleElement().satisfies(e -> assertThat(e.rule).isEqualTo("audit"));
    }

    @Test
    void aRedeliveredMessageIsNotCountedTwice() throws Exception {
        Harness h = harness(null);
        var batch = Events.batch(Events.message("pubsub-42"), refused(50, new String[] {"db-1"}, clock.instant()));
        h.sink.write(batch);
        h.sink.write(batch);
        AlertState s = h.state.read(st -> st, 0);
        assertThat(s.total(AlertEngine.T_EVENTS)).isEqualTo(50);
        assertThat(s.total(AlertEngine.T_DUPLICATES)).isEqualTo(1);
        assertThat(s.groups.values()).singleElement().satisfies(g -> assertThat(g.pending).isEqualTo(50));
    }

    @Test
    void groupsBeyondMaxGroupsFoldIntoTheRulesOverflowGroupAndNothingIsLost() throws Exception {
        AlertSettings base = Harness.settings(Harness.defaultRules());
        AlertSettings small = new AlertSettings(base.rules(), base.recipients(), base.from(), 90, 2900, 10, base.digestWait(),
                5, base.dedupeWindow(), base.subjectPrefix(), base.query());
        Harness h = new Harness(small, new InMemoryStateStore(), mail, clock);
        List<Envelope> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add(Events.event("host-" + i, "app", Severity.ERROR, "failure", clock.instant()));
        }
        h.sink.write(Events.batch(events));
        AlertState s = h.state.read(st -> st, 0);
        assertThat(s.groups).hasSize(6);
        assertThat(s.groups.values().stream().mapToLong(g -> g.pending).sum()).isEqualTo(20);
        assertThat(s.groups.values()).filteredOn(g -> g.overflow).singleElement()
                .satisfies(g -> assertThat(g.pending).isEqualTo(15));
    }
}
