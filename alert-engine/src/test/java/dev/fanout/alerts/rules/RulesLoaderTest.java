package dev.fanout.alerts.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.alerts.support.Events;
import dev.fanout.events.Envelope;
import dev.fanout.events.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RulesLoaderTest {

    private static final RulesLoader.Defaults DEFAULTS =
            new RulesLoader.Defaults(List.of("ops@example.org"), Timers.defaults());
    private static final Instant T = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void theExampleFileInTheRepoIsValid() {
        RuleSet rules = RulesLoader.load(Path.of("examples/alert-rules.yaml"), DEFAULTS);
        assertThat(rules.rules()).extracting(Rule::name)
                .containsExactly("database-down", "edge-5xx", "audit-failures", "default");
        Rule db = rules.rule("database-down").orElseThrow();
        assertThat(db.priority()).isEqualTo(Priority.CRITICAL);
        assertThat(db.recipients()).containsExactly("dba@example.org", "oncall@example.org");
        assertThat(db.timers().groupWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(db.timers().repeatInterval()).isEqualTo(Duration.ofHours(4));
        assertThat(rules.rule("edge-5xx").orElseThrow().recipients()).containsExactly("ops@example.org");
        assertThat(rules.rule("audit-failures").orElseThrow().includeReplayed()).isTrue();
    }

    @Test
    void matchesOnSeverityGlobListRegexFieldsAndRaw() {
        RuleSet rules = RulesLoader.load(Path.of("examples/alert-rules.yaml"), DEFAULTS);
        Envelope refused = Events.event("db-7", "postgres", Severity.ERROR, "could not connect to server", T);
        assertThat(rules.match(refused, false)).extracting(Rule::name).containsExactly("database-down");

        Envelope info = Events.event("db-7", "postgres", Severity.INFO, "could not connect to server", T);
        assertThat(rules.match(info, false)).isEmpty();

        ObjectNode f = JsonNodeFactory.instance.objectNode().put("status", 503).put("upstream", "shop");
        Envelope edge = Events.event("edge-1", "nginx:access", Severity.WARNING, "GET / 503", T, f);
        assertThat(rules.match(edge, false)).extracting(Rule::name).containsExactly("edge-5xx");
        ObjectNode noUpstream = JsonNodeFactory.instance.objectNode().put("status", 503);
        assertThat(rules.match(Events.event("edge-1", "nginx:access", Severity.WARNING, "x", T, noUpstream), false)).isEmpty();

        // continue: true lets the default rule see the audit failure as well.
        ObjectNode audit = JsonNodeFactory.instance.objectNode().put("outcome", "failure").put("user", "bob");
        Envelope a = new Envelope("a1", 1, T, Envelope.TimeSource.EVENT, T, "idp", "s", "auth", "audit", Severity.ERROR,
                "login failed", audit, null);
        assertThat(rules.match(a, false)).extracting(Rule::name).containsExactly("audit-failures", "default");
        // Replayed: only the rule that includes replays.
        assertThat(rules.match(a, true)).extracting(Rule::name).containsExactly("audit-failures");
    }

    @Test
    void equalsComparesNumbersByValue() {
        RuleSet rules = RulesLoader.parse("t.yaml", """
                rules:
                  - name: five-hundred
                    match:
                      severity: debug
                      fields: [{pointer: /http/status, equals: 500}]
                """, DEFAULTS);
        ObjectNode f = JsonNodeFactory.instance.objectNode();
        f.putObject("http").put("status", 500.0);
        assertThat(rules.match(Events.event("h", "s", Severity.INFO, "x", T, f), false)).hasSize(1);
        f.with("http").put("status", "500");
        assertThat(rules.match(Events.event("h", "s", Severity.INFO, "x", T, f), false)).isEmpty();
    }

    @Test
    void everyProblemNamesTheFileTheRuleAndTheField() {
        assertThatThrownBy(() -> RulesLoader.parse("/etc/fanout/rules.yaml", """
                rules:
                  - name: db-down
                    match:
                      severity: terrible
                      host: {regex: "db-("}
                      hots: db-1
                    recipients: [not-an-address]
                    priority: urgent
                    group-wait: soon
                  - name: db-down
                    group-by: [host, colour]
                  - match: {severity: error}
                """, DEFAULTS))
                .isInstanceOf(RulesException.class)
                .hasMessageContaining("/etc/fanout/rules.yaml")
                .satisfies(e -> assertThat(((RulesException) e).problems()).contains(
                        "rule 'db-down' (rules[0]): field 'match.hots': unknown key (known: fields, host, index, raw, severity, source, sourcetype)")
                        .anyMatch(p -> p.startsWith("rule 'db-down' (rules[0]): field 'match.severity': 'terrible' is not one of"))
                        .anyMatch(p -> p.startsWith("rule 'db-down' (rules[0]): field 'match.host': invalid regular expression"))
                        .anyMatch(p -> p.startsWith("rule 'db-down' (rules[0]): field 'recipients': 'not-an-address' is not an e-mail address"))
                        .anyMatch(p -> p.startsWith("rule 'db-down' (rules[0]): field 'priority': 'urgent'"))
                        .anyMatch(p -> p.startsWith("rule 'db-down' (rules[0]): field 'group-wait': 'soon' is not a duration"))
                        .anyMatch(p -> p.equals("rule 'db-down' (rules[1]): field 'name': another rule already has this name"))
                        .anyMatch(p -> p.startsWith("rule 'db-down' (rules[1]): field 'group-by': 'colour' is none of"))
                        .anyMatch(p -> p.equals("rule rules[2]: field 'name': required, a string")));
    }

    @Test
    void malformedYamlAndMissingRulesAreClearErrors() {
        assertThatThrownBy(() -> RulesLoader.parse("r.yaml", "rules: [ {name: x", DEFAULTS))
                .isInstanceOf(RulesException.class).hasMessageContaining("r.yaml").hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> RulesLoader.parse("r.yaml", "alerts: []", DEFAULTS))
                .hasMessageContaining("a map with a list 'rules'");
        assertThatThrownBy(() -> RulesLoader.load(Path.of("does/not/exist.yaml"), DEFAULTS))
                .hasMessageContaining("does/not/exist.yaml").hasMessageContaining("cannot read");
    }

    @Test
    void theBuiltInDefaultIsErrorOrWorseGroupedByHostSourcetypeAndTemplate() {
        RuleSet rules = RulesLoader.defaults(DEFAULTS);
        Rule r = rules.rules().get(0);
        assertThat(r.name()).isEqualTo("default");
        assertThat(r.minSeverity()).isEqualTo(Severity.ERROR);
        assertThat(r.groupBy()).extracting(GroupField::name).containsExactly("host", "sourcetype", "template");
        assertThat(rules.match(Events.event("h", "s", Severity.WARNING, "x", T), false)).isEmpty();
        assertThat(rules.match(Events.event("h", "s", Severity.CRITICAL, "x", T), false)).hasSize(1);
        // Replays do not alert by default.
        assertThat(rules.match(Events.event("h", "s", Severity.CRITICAL, "x", T), true)).isEmpty();
        assertThatThrownBy(() -> RulesLoader.defaults(new RulesLoader.Defaults(List.of(), Timers.defaults())))
                .hasMessageContaining("fanout.alerts.recipients");
    }
}
