package dev.fanout.ingest.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Extracts the presented token from an {@code Authorization} header in each form Cribl can be
 * configured to send: {@code Bearer <t>} (Bearer/OAuth auth), {@code Splunk <t>} (HEC imitation),
 * {@code Basic base64(user:<t>)} (Basic auth; the user is ignored) and a bare {@code <t>} (a static
 * extra header).
 */
public final class AuthorizationHeader {

    private AuthorizationHeader() {}

    /** The token, or empty when the header is missing, blank or malformed. */
    public static Optional<String> token(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String h = header.strip();
        if (h.isEmpty()) {
            return Optional.empty();
        }
        int sp = h.indexOf(' ');
        if (sp > 0) {
            String scheme = h.substring(0, sp).toLowerCase(Locale.ROOT);
            String rest = h.substring(sp + 1).strip();
            switch (scheme) {
                case "bearer", "splunk":
                    return rest.isEmpty() ? Optional.empty() : Optional.of(rest);
                case "basic":
                    return basicPassword(rest);
                default:
                    // Not a scheme we know: the whole value is the token.
                    return Optional.of(h);
            }
        }
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.equals("bearer") || lower.equals("splunk") || lower.equals("basic")) {
            return Optional.empty();
        }
        return Optional.of(h);
    }

    private static Optional<String> basicPassword(String b64) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String userPass = new String(decoded, StandardCharsets.UTF_8);
        int colon = userPass.indexOf(':');
        if (colon < 0 || colon == userPass.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(userPass.substring(colon + 1));
    }
}
