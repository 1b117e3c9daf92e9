package dev.fanout.cli.targets;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * How request bodies to an ingest URL are encoded. Gzip (level 1) saves bytes on a real network;
 * to the same machine it only costs CPU on both sides, which the target shares: a replay into the
 * local pipeline spent about 10 of its 47 CPU-seconds per million events compressing and
 * inflating bodies that never left the host (docs/benchmarks.md, cli section).
 */
public enum BodyCompression {
    /** {@link #NONE} when the URL's host is a loopback name or address, {@link #GZIP} otherwise. */
    AUTO,
    GZIP,
    NONE;

    /** The {@code --compress} option's converter (replay, send). */
    public static final class Converter implements picocli.CommandLine.ITypeConverter<BodyCompression> {
        @Override
        public BodyCompression convert(String value) {
            return parse(value);
        }
    }

    /** Parses {@code auto|gzip|none}. */
    public static BodyCompression parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected auto, gzip or none, not '" + value + "'");
        }
    }

    /** What this choice means for {@code url}: never {@link #AUTO}. */
    public BodyCompression resolve(URI url) {
        if (this != AUTO) {
            return this;
        }
        return loopback(url.getHost()) ? NONE : GZIP;
    }

    /**
     * Whether the host is this machine's loopback. Literal addresses and {@code localhost} are
     * decided without a lookup; any other name is not looked up either (a name that resolves to
     * loopback is rare, and gzip is the safe side).
     */
    static boolean loopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+|[0-9a-f:.]*:[0-9a-f:.]*")) {
            return false;
        }
        try {
            // A literal: InetAddress parses it without a DNS query.
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
