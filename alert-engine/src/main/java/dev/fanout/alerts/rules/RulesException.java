package dev.fanout.alerts.rules;

import java.util.List;

/** The rules file is unusable; the message names the file, the rule and the field of every problem. */
public final class RulesException extends RuntimeException {

    private final List<String> problems;

    public RulesException(String source, List<String> problems) {
        super("invalid alert rules in " + source + ":\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem, each {@code rule '<name>' (rules[<i>]): field '<path>': <what>}. */
    public List<String> problems() {
        return problems;
    }
}
