package dev.fanout.cli.replay;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.cli.UsageException;
import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code --where}: a predicate on the envelope's {@code fields} by JSON pointer (RFC 6901).
 *
 * <pre>
 * /status=500          equal (number, string, true/false/null compared as JSON; "500" also matches the string "500")
 * /status!=200         not equal (also true when the field is missing)
 * /status>=500         numeric comparison: &gt; &gt;= &lt; &lt;= (false when not a number)
 * /user/name~^adm      regex find on the value's text
 * /trace_id            the field exists (and is not null)
 * !/trace_id           the field is missing or null
 * </pre>
 */
public final class WherePredicate {

    private static final Pattern FORM = Pattern.compile("^(!?)(/[^=!<>~]*)(?:(=|!=|>=|<=|>|<|~)(.*))?$", Pattern.DOTALL);

    private final String text;
    private final JsonPointer pointer;
    private final boolean negatedExists;
    private final String op;
    private final String value;
    private final BigDecimal number;
    private final Pattern regex;

    private WherePredicate(String text, JsonPointer pointer, boolean negatedExists, String op, String value) {
        this.text = text;
        this.pointer = pointer;
        this.negatedExists = negatedExists;
        this.op = op;
        this.value = value;
        this.number = parseNumber(value);
        Pattern r = null;
        if ("~".equals(op)) {
            try {
                r = Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new UsageException("--where " + text + ": bad regex: " + e.getDescription());
            }
        }
        this.regex = r;
        if (op != null && (op.startsWith(">") || op.startsWith("<")) && number == null) {
            throw new UsageException("--where " + text + ": " + op + " needs a number");
        }
    }

    public static WherePredicate parse(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            throw new UsageException("--where '" + text + "': expected /json/pointer OP value, OP one of = != > >= < <= ~ "
                    + "(or /pointer alone for 'exists', !/pointer for 'missing')");
        }
        JsonPointer p;
        try {
            p = JsonPointer.compile(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--where '" + text + "': bad JSON pointer: " + e.getMessage());
        }
        boolean not = !m.group(1).isEmpty();
        if (not && m.group(3) != null) {
            throw new UsageException("--where '" + text + "': ! only goes with a bare pointer (missing field)");
        }
        return new WherePredicate(text, p, not, m.group(3), m.group(4));
    }

    public boolean test(ObjectNode fields) {
        JsonNode n = fields.at(pointer);
        boolean present = !n.isMissingNode() && !n.isNull();
        if (op == null) {
            return negatedExists != present;
        }
        switch (op) {
            case "=":
                return equalsValue(n);
            case "!=":
                return !equalsValue(n);
            case "~":
                return present && (n.isValueNode() ? regex.matcher(n.asText()).find() : regex.matcher(n.toString()).find());
            default:
                if (!n.isNumber() && !(n.isTextual() && parseNumber(n.asText()) != null)) {
                    return false;
                }
                BigDecimal v = n.isNumber() ? n.decimalValue() : parseNumber(n.asText());
                int c = v.compareTo(number);
                return switch (op) {
                    case ">" -> c > 0;
                    case ">=" -> c >= 0;
                    case "<" -> c < 0;
                    default -> c <= 0;
                };
        }
    }

    private boolean equalsValue(JsonNode n) {
        if (n.isMissingNode()) {
            return false;
        }
        if (n.isNull()) {
            return "null".equals(value);
        }
        if (n.isBoolean()) {
            return value.equals(n.asText());
        }
        if (n.isNumber()) {
            return number != null && n.decimalValue().compareTo(number) == 0;
        }
        if (n.isTextual()) {
            return n.asText().equals(value);
        }
        return n.toString().equals(value);
    }

    private static BigDecimal parseNumber(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return new BigDecimal(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
