package dev.fanout.alerts.rules;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.fanout.events.Severity;
import io.quarkus.runtime.configuration.DurationConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads and validates a rules file (YAML; the format is in docs/alerts.md and
 * {@code alert-engine/examples/alert-rules.yaml}). Every problem is collected and reported at
 * once, each naming the file, the rule and the field; unknown keys are errors, because a typo that
 * silently disabled a condition would alert on everything, or on nothing.
 */
public final class RulesLoader {

    /** Resend accepts at most 50 addresses in {@code to}. */
    public static final int MAX_RECIPIENTS = 50;
    /** Rule names end up in Idempotency-Keys and tags: letters, digits, {@code _} and {@code -}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Set<String> RULE_KEYS = Set.of("name", "match", "group-by", "recipients", "priority",
            "replayed", "continue", "group-wait", "group-interval", "repeat-interval");
    private static final Set<String> MATCH_KEYS = Set.of("severity", "host", "source", "sourcetype", "index",
            "fields", "raw");
    private static final Set<String> MATCHER_KEYS = Set.of("exact", "glob", "regex");
    private static final Set<String> FIELD_KEYS = Set.of("pointer", "equals", "regex", "exists");

    private static final YAMLMapper YAML = new YAMLMapper();

    /** What a rule gets when it does not say: the global recipients and timers. */
    public record Defaults(List<String> recipients, Timers timers) {
        public Defaults {
            recipients = List.copyOf(recipients);
        }
    }

    private RulesLoader() {}

    /** The built-in rule set: {@link Rule#defaultRule}. */
    public static RuleSet defaults(Defaults d) {
        List<String> problems = new ArrayList<>();
        checkRecipients(d.recipients(), "rule 'default' (built-in): recipients (fanout.alerts.recipients)", problems);
        if (!problems.isEmpty()) {
            throw new RulesException("the built-in default rule", problems);
        }
        return new RuleSet(List.of(Rule.defaultRule(d.recipients(), d.timers())), "built-in default rule");
    }

    public static RuleSet load(Path file, Defaults d) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new RulesException(file.toString(), List.of("cannot read the file: " + e));
        }
        return parse(file.toString(), text, d);
    }

    public static RuleSet parse(String source, String yaml, Defaults d) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RulesException(source, List.of("not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")")));
        } catch (IOException e) {
            throw new RulesException(source, List.of("not valid YAML: " + e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject() || !root.path("rules").isArray()) {
            throw new RulesException(source, List.of("the file must be a map with a list 'rules'"));
        }
        unknownKeys(root, Set.of("rules"), "top level", problems);
        List<Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int i = 0;
        for (JsonNode node : root.get("rules")) {
            Rule r = rule(node, i, d, names, problems);
            if (r != null) {
                rules.add(r);
            }
            i++;
        }
        if (i == 0) {
            problems.add("'rules' is empty: remove fanout.alerts.rules-file for the built-in default rule");
        }
        if (!problems.isEmpty()) {
            throw new RulesException(source, problems);
        }
        return new RuleSet(rules, source);
    }

    private static Rule rule(JsonNode node, int i, Defaults d, Set<String> names, List<String> problems) {
        String at = "rules[" + i + "]";
        if (!node.isObject()) {
            problems.add(at + ": a rule must be a map");
            return null;
        }
        String name = node.path("name").asText(null);
        String where = name == null ? "rule " + at : "rule '" + name + "' (" + at + ")";
        int before = problems.size();
        Problems p = field -> msg -> problems.add(where + ": field '" + field + "': " + msg);
        if (name == null || !node.get("name").isTextual()) {
            p.at("name").add("required, a string");
        } else if (!NAME.matcher(name).matches()) {
            p.at("name").add("use 1-64 letters, digits, '_' or '-' (it becomes part of idempotency keys), was '" + name + "'");
        } else if (!names.add(name)) {
            p.at("name").add("another rule already has this name");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!RULE_KEYS.contains(k)) {
                p.at(k).add("unknown key (known: " + String.join(", ", new java.util.TreeSet<>(RULE_KEYS)) + ")");
            }
        }

        JsonNode match = node.path("match");
        Severity minSeverity = Severity.ERROR;
        StringMatcher host = null, source = null, sourcetype = null, index = null;
        List<FieldPredicate> fields = new ArrayList<>();
        Pattern raw = null;
        if (!match.isMissingNode()) {
            if (!match.isObject()) {
                p.at("match").add("must be a map");
            } else {
                for (Iterator<String> it = match.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!MATCH_KEYS.contains(k)) {
                        p.at("match." + k).add("unknown key (known: " + String.join(", ", new java.util.TreeSet<>(MATCH_KEYS)) + ")");
                    }
                }
                if (match.has("severity")) {
                    try {
                        minSeverity = Severity.fromWire(match.get("severity").asText());
                    } catch (IllegalArgumentException e) {
                        p.at("match.severity").add("'" + match.get("severity").asText()
                                + "' is not one of emergency, alert, critical, error, warning, notice, info, debug");
                    }
                }
                host = matcher(match.get("host"), p.at("match.host"));
                source = matcher(match.get("source"), p.at("match.source"));
                sourcetype = matcher(match.get("sourcetype"), p.at("match.sourcetype"));
                index = matcher(match.get("index"), p.at("match.index"));
                if (match.has("raw")) {
                    raw = regex(match.get("raw"), p.at("match.raw"));
                }
                JsonNode fs = match.get("fields");
                if (fs != null) {
                    if (!fs.isArray()) {
                        p.at("match.fields").add("must be a list of {pointer, equals|regex|exists}");
                    } else {
                        int j = 0;
                        for (JsonNode f : fs) {
                            FieldPredicate fp = fieldPredicate(f, p.at("match.fields[" + j + "]"));
                            if (fp != null) {
                                fields.add(fp);
                            }
                            j++;
                        }
                    }
                }
            }
        }

        List<GroupField> groupBy = new ArrayList<>();
        JsonNode gb = node.get("group-by");
        if (gb == null) {
            groupBy.addAll(Rule.defaultRule(List.of(), d.timers()).groupBy());
        } else if (!gb.isArray() || gb.isEmpty()) {
            p.at("group-by").add("must be a non-empty list, e.g. [host, sourcetype, template]");
        } else {
            Set<String> seen = new HashSet<>();
            for (JsonNode g : gb) {
                try {
                    GroupField f = GroupField.parse(g.asText());
                    if (!seen.add(f.name())) {
                        p.at("group-by").add("'" + f.name() + "' is listed twice");
                    }
                    groupBy.add(f);
                } catch (IllegalArgumentException e) {
                    p.at("group-by").add(e.getMessage());
                }
            }
        }

        List<String> recipients = d.recipients();
        JsonNode rc = node.get("recipients");
        if (rc != null) {
            recipients = new ArrayList<>();
            if (!rc.isArray()) {
                p.at("recipients").add("must be a list of e-mail addresses");
            } else {
                for (JsonNode r : rc) {
                    recipients.add(r.asText());
                }
            }
        }
        List<String> recipientProblems = new ArrayList<>();
        checkRecipients(recipients, "", recipientProblems);
        for (String rp : recipientProblems) {
            p.at("recipients").add(rp + (rc == null ? " (none given: fanout.alerts.recipients applies)" : ""));
        }

        Priority priority = Priority.NORMAL;
        if (node.has("priority")) {
            try {
                priority = Priority.fromWire(node.get("priority").asText());
            } catch (IllegalArgumentException e) {
                p.at("priority").add("'" + node.get("priority").asText() + "' is neither normal nor critical");
            }
        }
        boolean replayed = bool(node.get("replayed"), false, p.at("replayed"));
        boolean cont = bool(node.get("continue"), false, p.at("continue"));
        Timers t = d.timers();
        Duration gw = duration(node.get("group-wait"), t.groupWait(), p.at("group-wait"));
        Duration gi = duration(node.get("group-interval"), t.groupInterval(), p.at("group-interval"));
        Duration ri = duration(node.get("repeat-interval"), t.repeatInterval(), p.at("repeat-interval"));
        if (problems.size() > before) {
            return null;
        }
        return new Rule(name, minSeverity, host, source, sourcetype, index, fields, raw, recipients, groupBy, priority,
                replayed, cont, new Timers(gw, gi, ri));
    }

    @FunctionalInterface
    private interface Problems {
        Sink at(String field);
    }

    @FunctionalInterface
    private interface Sink {
        void add(String message);
    }

    private static StringMatcher matcher(JsonNode n, Sink p) {
        if (n == null) {
            return null;
        }
        if (n.isTextual()) {
            return StringMatcher.plain(n.asText());
        }
        if (n.isArray()) {
            List<StringMatcher> alts = new ArrayList<>();
            for (JsonNode a : n) {
                StringMatcher m = matcher(a, p);
                if (m != null) {
                    alts.add(m);
                }
            }
            if (alts.isEmpty()) {
                p.add("an empty list matches nothing");
                return null;
            }
            return new StringMatcher.AnyOf(alts);
        }
        if (n.isObject() && n.size() == 1) {
            Map.Entry<String, JsonNode> e = n.fields().next();
            if (!MATCHER_KEYS.contains(e.getKey()) || !e.getValue().isTextual()) {
                p.add("use a string (exact, or a glob with * and ?), a list of them, {exact: …}, {glob: …} or {regex: …}");
                return null;
            }
            return switch (e.getKey()) {
                case "exact" -> new StringMatcher.Exact(e.getValue().asText());
                case "glob" -> StringMatcher.Glob.of(e.getValue().asText());
                default -> {
                    Pattern re = regex(e.getValue(), p);
                    yield re == null ? null : new StringMatcher.Regex(re);
                }
            };
        }
        p.add("use a string (exact, or a glob with * and ?), a list of them, {exact: …}, {glob: …} or {regex: …}");
        return null;
    }

    private static Pattern regex(JsonNode n, Sink p) {
        if (!n.isTextual()) {
            p.add("a regular expression must be a string");
            return null;
        }
        try {
            return Pattern.compile(n.asText());
        } catch (PatternSyntaxException e) {
            p.add("invalid regular expression: " + e.getDescription() + " near index " + e.getIndex());
            return null;
        }
    }

    private static FieldPredicate fieldPredicate(JsonNode f, Sink p) {
        if (!f.isObject()) {
            p.add("must be a map {pointer, equals|regex|exists}");
            return null;
        }
        for (Iterator<String> it = f.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!FIELD_KEYS.contains(k)) {
                p.add("unknown key '" + k + "' (known: pointer, equals, regex, exists)");
                return null;
            }
        }
        String ptr = f.path("pointer").asText("");
        JsonPointer pointer;
        try {
            if (!ptr.startsWith("/")) {
                throw new IllegalArgumentException("must start with '/'");
            }
            pointer = JsonPointer.compile(ptr);
        } catch (IllegalArgumentException e) {
            p.add("'pointer' must be a JSON pointer into fields such as /http/status (" + e.getMessage() + ")");
            return null;
        }
        int conditions = (f.has("equals") ? 1 : 0) + (f.has("regex") ? 1 : 0) + (f.has("exists") ? 1 : 0);
        if (conditions != 1) {
            p.add("give exactly one of equals, regex, exists");
            return null;
        }
        if (f.has("equals")) {
            return new FieldPredicate.EqualsValue(pointer, f.get("equals"));
        }
        if (f.has("regex")) {
            Pattern re = regex(f.get("regex"), p);
            return re == null ? null : new FieldPredicate.Matches(pointer, re);
        }
        if (!f.get("exists").isBoolean()) {
            p.add("'exists' must be true or false");
            return null;
        }
        return new FieldPredicate.Exists(pointer, f.get("exists").asBoolean());
    }

    private static boolean bool(JsonNode n, boolean dflt, Sink p) {
        if (n == null) {
            return dflt;
        }
        if (!n.isBoolean()) {
            p.add("must be true or false");
            return dflt;
        }
        return n.asBoolean();
    }

    private static Duration duration(JsonNode n, Duration dflt, Sink p) {
        if (n == null) {
            return dflt;
        }
        try {
            Duration d = DurationConverter.parseDuration(n.asText());
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("negative");
            }
            return d;
        } catch (RuntimeException e) {
            p.add("'" + n.asText() + "' is not a duration such as 30s, 5m or 4h");
            return dflt;
        }
    }

    private static void unknownKeys(JsonNode node, Set<String> known, String where, List<String> problems) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                problems.add(where + ": unknown key '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    static void checkRecipients(List<String> recipients, String prefix, List<String> problems) {
        String pre = prefix.isEmpty() ? "" : prefix + ": ";
        if (recipients.isEmpty()) {
            problems.add(pre + "at least one recipient is required");
            return;
        }
        if (recipients.size() > MAX_RECIPIENTS) {
            problems.add(pre + "at most " + MAX_RECIPIENTS + " recipients (Resend's limit), was " + recipients.size());
        }
        for (String r : recipients) {
            if (!looksLikeAddress(r)) {
                problems.add(pre + "'" + r + "' is not an e-mail address (name@example.org or Name <name@example.org>)");
            }
        }
    }

    static boolean looksLikeAddress(String r) {
        String a = r.strip();
        int lt = a.lastIndexOf('<');
        if (lt >= 0 && a.endsWith(">")) {
            a = a.substring(lt + 1, a.length() - 1);
        }
        int at = a.indexOf('@');
        return at > 0 && at == a.lastIndexOf('@') && at < a.length() - 1 && a.length() <= 320
                && a.chars().noneMatch(c -> c <= ' ' || c == ',' || c == '<' || c == '>');
    }

}
