package dev.fanout.alerts.rules;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * A condition on the envelope's {@code fields} at a JSON pointer: {@code equals} a JSON value
 * (numbers compare by value, so {@code 500} equals {@code 500.0}), a {@code regex} found in the
 * value's text, or {@code exists} (true: present and not null; false: absent or null).
 */
public sealed interface FieldPredicate {

    JsonPointer pointer();

    boolean test(ObjectNode fields);

    record EqualsValue(JsonPointer pointer, JsonNode value) implements FieldPredicate {
        private static final Comparator<JsonNode> NUMERIC = (a, b) -> {
            if (a.isNumber() && b.isNumber()) {
                return a.decimalValue().compareTo(b.decimalValue());
            }
            return a.equals(b) ? 0 : 1;
        };

        @Override
        public boolean test(ObjectNode fields) {
            JsonNode v = fields.at(pointer);
            return !v.isMissingNode() && v.equals(NUMERIC, value);
        }
    }

    record Matches(JsonPointer pointer, Pattern regex) implements FieldPredicate {
        @Override
        public boolean test(ObjectNode fields) {
            JsonNode v = fields.at(pointer);
            if (v.isMissingNode() || v.isNull()) {
                return false;
            }
            String text = v.isValueNode() ? v.asText() : v.toString();
            return regex.matcher(text).find();
        }
    }

    record Exists(JsonPointer pointer, boolean expected) implements FieldPredicate {
        @Override
        public boolean test(ObjectNode fields) {
            JsonNode v = fields.at(pointer);
            return (!v.isMissingNode() && !v.isNull()) == expected;
        }
    }
}
