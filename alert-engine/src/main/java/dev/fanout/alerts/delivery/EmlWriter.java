package dev.fanout.alerts.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A Resend e-mail body as an RFC 5322 message ({@code .eml}) that a mail client opens: headers,
 * then {@code multipart/alternative} with the text and HTML parts in base64. Only what the alert
 * e-mails use; no attachments.
 */
public final class EmlWriter {
    private EmlWriter() {}

    private static final String CRLF = "\r\n";

    public static byte[] write(String idempotencyKey, JsonNode email, Instant date) {
        String boundary = "fanout-" + HexFormat.of().formatHex(dev.fanout.store.ArchiveLayout.sha256()
                .digest(idempotencyKey.getBytes(StandardCharsets.UTF_8))).substring(0, 24);
        List<String> to = new ArrayList<>();
        email.path("to").forEach(n -> to.add(n.asText()));
        StringBuilder m = new StringBuilder(4096);
        header(m, "From", email.path("from").asText());
        header(m, "To", String.join(", ", to));
        header(m, "Subject", encodeWord(email.path("subject").asText()));
        header(m, "Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(date.atOffset(ZoneOffset.UTC)));
        header(m, "Message-ID", "<" + idempotencyKey + "@fanout.local>");
        header(m, "MIME-Version", "1.0");
        header(m, "X-Fanout-Idempotency-Key", idempotencyKey);
        email.path("headers").fields().forEachRemaining(h -> header(m, h.getKey(), h.getValue().asText()));
        header(m, "Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");
        m.append(CRLF);
        part(m, boundary, "text/plain", email.path("text").asText(""));
        if (email.has("html")) {
            part(m, boundary, "text/html", email.get("html").asText());
        }
        m.append("--").append(boundary).append("--").append(CRLF);
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void header(StringBuilder m, String name, String value) {
        // Header injection guard: a value never spans lines.
        m.append(name).append(": ").append(value.replace('\r', ' ').replace('\n', ' ')).append(CRLF);
    }

    private static void part(StringBuilder m, String boundary, String type, String content) {
        m.append("--").append(boundary).append(CRLF);
        m.append("Content-Type: ").append(type).append("; charset=UTF-8").append(CRLF);
        m.append("Content-Transfer-Encoding: base64").append(CRLF).append(CRLF);
        m.append(Base64.getMimeEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8))).append(CRLF);
    }

    /** RFC 2047 B-encoding for a subject that is not plain printable ASCII. */
    static String encodeWord(String s) {
        boolean ascii = s.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
        return ascii ? s : "=?UTF-8?B?" + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)) + "?=";
    }
}
