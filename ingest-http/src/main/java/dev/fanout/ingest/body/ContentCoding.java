package dev.fanout.ingest.body;

import dev.fanout.ingest.IngestRejection;
import java.util.Locale;

/** The body codings the bridge accepts: what Cribl's "Compress" option sends, or nothing. */
public enum ContentCoding {
    IDENTITY,
    GZIP;

    /**
     * Parses a {@code Content-Encoding} header (a comma-separated list of codings, applied in order).
     *
     * @throws IngestRejection 415 naming the first unsupported coding
     */
    public static ContentCoding parse(String header) {
        if (header == null || header.isBlank()) {
            return IDENTITY;
        }
        int gzips = 0;
        for (String part : header.split(",")) {
            String c = part.strip().toLowerCase(Locale.ROOT);
            switch (c) {
                case "", "identity" -> { }
                case "gzip", "x-gzip" -> gzips++;
                default -> throw unsupported("Content-Encoding '" + clip(part.strip())
                        + "' is not supported; send gzip or identity");
            }
        }
        if (gzips > 1) {
            throw unsupported("Content-Encoding '" + clip(header.strip())
                    + "' applies gzip more than once; send it once");
        }
        return gzips == 1 ? GZIP : IDENTITY;
    }

    private static IngestRejection unsupported(String message) {
        return new IngestRejection(415, "unsupported_encoding", message);
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
