package dev.fanout.alerts.rules;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.events.Envelope;

/**
 * One field of a rule's {@code group-by}: what identifies "the same problem". {@code host},
 * {@code source}, {@code sourcetype}, {@code index}, {@code severity}, {@code template} (the
 * masked {@code raw}), or a JSON pointer into {@code fields} such as {@code /http/status}.
 */
public record GroupField(String name, Kind kind, JsonPointer pointer) {

    public enum Kind { HOST, SOURCE, SOURCETYPE, INDEX, SEVERITY, TEMPLATE, FIELD }

    public static GroupField parse(String name) {
        return switch (name) {
            case "host" -> new GroupField(name, Kind.HOST, null);
            case "source" -> new GroupField(name, Kind.SOURCE, null);
            case "sourcetype" -> new GroupField(name, Kind.SOURCETYPE, null);
            case "index" -> new GroupField(name, Kind.INDEX, null);
            case "severity" -> new GroupField(name, Kind.SEVERITY, null);
            case "template" -> new GroupField(name, Kind.TEMPLATE, null);
            default -> {
                if (!name.startsWith("/")) {
                    throw new IllegalArgumentException("'" + name + "' is none of host, source, sourcetype, index, "
                            + "severity, template, or a JSON pointer into fields such as /http/status");
                }
                yield new GroupField(name, Kind.FIELD, JsonPointer.compile(name));
            }
        };
    }

    /** This field's value for {@code e} ({@code ""} when absent); {@code template} is the event's template. */
    public String valueOf(Envelope e, String template) {
        String v = switch (kind) {
            case HOST -> e.host();
            case SOURCE -> e.source();
            case SOURCETYPE -> e.sourcetype();
            case INDEX -> e.index();
            case SEVERITY -> e.severity().wireName();
            case TEMPLATE -> template;
            case FIELD -> {
                JsonNode n = e.fields().at(pointer);
                yield n.isMissingNode() || n.isNull() ? null : n.isValueNode() ? n.asText() : n.toString();
            }
        };
        return v == null ? "" : v;
    }
}
