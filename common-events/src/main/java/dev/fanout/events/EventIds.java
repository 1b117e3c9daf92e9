package dev.fanout.events;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic event ids.
 *
 * <p>{@code id = hex(SHA-256(SHA-256(body) || ordinal as 4-byte big-endian))[0..32)}: Cribl
 * retries whole requests after a 5xx, so hashing the (decompressed) body makes a retried request
 * produce the same ids, and the ordinal keeps two identical events of one body apart. 128 bits
 * keep accidental collisions out of reach at any realistic volume.
 */
public final class EventIds {

    /** Length of an id in hex characters. */
    public static final int ID_HEX_LENGTH = 32;

    private static final MessageDigest PROTOTYPE;
    private static final boolean CLONEABLE;

    static {
        try {
            PROTOTYPE = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError(e);
        }
        boolean ok;
        try {
            PROTOTYPE.clone();
            ok = true;
        } catch (CloneNotSupportedException e) {
            ok = false;
        }
        CLONEABLE = ok;
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private EventIds() {}

    /** SHA-256 of the decompressed request body. */
    public static byte[] bodyDigest(byte[] body, int off, int len) {
        MessageDigest md = sha256();
        md.update(body, off, len);
        return md.digest();
    }

    /** The id of the {@code ordinal}-th (0-based) event kept from the body with this digest. */
    public static String eventId(byte[] bodyDigest, int ordinal) {
        return eventId(sha256(), bodyDigest, ordinal);
    }

    /** Same as {@link #eventId(byte[], int)}, reusing {@code md} (reset here) across a loop. */
    static String eventId(MessageDigest md, byte[] bodyDigest, int ordinal) {
        if (ordinal < 0) {
            throw new IllegalArgumentException("ordinal < 0");
        }
        md.reset();
        md.update(bodyDigest);
        md.update((byte) (ordinal >>> 24));
        md.update((byte) (ordinal >>> 16));
        md.update((byte) (ordinal >>> 8));
        md.update((byte) ordinal);
        byte[] h = md.digest();
        char[] c = new char[ID_HEX_LENGTH];
        for (int i = 0; i < ID_HEX_LENGTH / 2; i++) {
            c[2 * i] = HEX[(h[i] >>> 4) & 0xF];
            c[2 * i + 1] = HEX[h[i] & 0xF];
        }
        return new String(c);
    }

    /** Length of a body digest in hex characters. */
    public static final int DIGEST_HEX_LENGTH = 64;

    /** The body digest as lowercase hex ({@link #DIGEST_HEX_LENGTH} characters). */
    public static String digestHex(byte[] bodyDigest) {
        char[] c = new char[bodyDigest.length * 2];
        for (int i = 0; i < bodyDigest.length; i++) {
            c[2 * i] = HEX[(bodyDigest[i] >>> 4) & 0xF];
            c[2 * i + 1] = HEX[bodyDigest[i] & 0xF];
        }
        return new String(c);
    }

    /**
     * Reverse of {@link #digestHex}.
     *
     * @throws IllegalArgumentException unless {@code hex} is {@link #DIGEST_HEX_LENGTH} hex characters
     */
    public static byte[] parseDigestHex(String hex) {
        if (hex == null || hex.length() != DIGEST_HEX_LENGTH) {
            throw new IllegalArgumentException("a body digest is " + DIGEST_HEX_LENGTH + " hex characters");
        }
        byte[] b = new byte[DIGEST_HEX_LENGTH / 2];
        for (int i = 0; i < b.length; i++) {
            int hi = Character.digit(hex.charAt(2 * i), 16);
            int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("a body digest is " + DIGEST_HEX_LENGTH + " hex characters");
            }
            b[i] = (byte) (hi << 4 | lo);
        }
        return b;
    }

    static MessageDigest sha256() {
        if (CLONEABLE) {
            try {
                return (MessageDigest) PROTOTYPE.clone();
            } catch (CloneNotSupportedException e) {
                // fall through
            }
        }
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
