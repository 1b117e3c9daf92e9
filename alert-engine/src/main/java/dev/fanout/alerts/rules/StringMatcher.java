package dev.fanout.alerts.rules;

import java.util.List;
import java.util.regex.Pattern;

/** Matches one envelope string field (host, source, sourcetype, index): exact, glob, regex, or any of several. */
public sealed interface StringMatcher {

    /** Whether {@code value} matches; a missing (null) field never does. */
    boolean matches(String value);

    /** Exact, case-sensitive. */
    record Exact(String value) implements StringMatcher {
        @Override
        public boolean matches(String v) {
            return value.equals(v);
        }
    }

    /** {@code *} = any run of characters, {@code ?} = one character; the whole value must match. */
    record Glob(String glob, Pattern pattern) implements StringMatcher {
        public static Glob of(String glob) {
            StringBuilder re = new StringBuilder(glob.length() + 8);
            StringBuilder literal = new StringBuilder();
            for (int i = 0; i < glob.length(); i++) {
                char c = glob.charAt(i);
                if (c == '*' || c == '?') {
                    if (literal.length() > 0) {
                        re.append(Pattern.quote(literal.toString()));
                        literal.setLength(0);
                    }
                    re.append(c == '*' ? ".*" : ".");
                } else {
                    literal.append(c);
                }
            }
            if (literal.length() > 0) {
                re.append(Pattern.quote(literal.toString()));
            }
            return new Glob(glob, Pattern.compile(re.toString(), Pattern.DOTALL));
        }

        @Override
        public boolean matches(String v) {
            return v != null && pattern.matcher(v).matches();
        }
    }

    /** Java regular expression, found anywhere in the value (anchor with {@code ^…$} for a full match). */
    record Regex(Pattern pattern) implements StringMatcher {
        @Override
        public boolean matches(String v) {
            return v != null && pattern.matcher(v).find();
        }
    }

    /** Any of the alternatives. */
    record AnyOf(List<StringMatcher> alternatives) implements StringMatcher {
        @Override
        public boolean matches(String v) {
            for (StringMatcher m : alternatives) {
                if (m.matches(v)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A plain string: a glob if it has {@code *} or {@code ?}, else exact. */
    static StringMatcher plain(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 ? Glob.of(s) : new Exact(s);
    }
}
