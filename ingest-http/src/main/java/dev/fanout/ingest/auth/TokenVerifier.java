package dev.fanout.ingest.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.List;

/**
 * Checks a presented token against the configured ones in constant time: both sides are hashed to
 * SHA-256 so the comparison length never depends on the secret, and every configured token is
 * compared (no early exit) so timing does not reveal which one matched.
 */
public final class TokenVerifier {

    private final List<byte[]> digests;

    public TokenVerifier(Collection<String> tokens) {
        this.digests = tokens.stream()
                .map(String::strip)
                .filter(t -> !t.isEmpty())
                .map(TokenVerifier::sha256)
                .toList();
    }

    /** Number of usable (non-blank) configured tokens. */
    public int size() {
        return digests.size();
    }

    public boolean verify(String presented) {
        if (presented == null) {
            return false;
        }
        byte[] candidate = sha256(presented);
        boolean match = false;
        for (byte[] d : digests) {
            match |= MessageDigest.isEqual(d, candidate);
        }
        return match;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JRE", e);
        }
    }
}
