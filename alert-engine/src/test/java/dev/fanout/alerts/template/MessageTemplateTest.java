package dev.fanout.alerts.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MessageTemplateTest {

    @Test
    void connectionRefusedToAnyAddressIsOneTemplate() {
        String a = MessageTemplate.of("connection refused to 10.0.0.7:5432");
        String b = MessageTemplate.of("connection refused to 192.168.1.200:6432");
        assertThat(a).isEqualTo("connection refused to <ip>").isEqualTo(b);
    }

    @Test
    void masksNumbersHexUuidsIpsQuotedStringsAndPaths() {
        assertThat(MessageTemplate.of("took 1234 ms, retry 3 of 5")).isEqualTo("took <num> ms, retry <num> of <num>");
        assertThat(MessageTemplate.of("request 550e8400-e29b-41d4-a716-446655440000 failed"))
                .isEqualTo("request <uuid> failed");
        assertThat(MessageTemplate.of("segfault at 0x7ffd5c3a in worker")).isEqualTo("segfault at <hex> in worker");
        assertThat(MessageTemplate.of("commit 3f9a2c1b7d4e5f60 rejected")).isEqualTo("commit <hex> rejected");
        assertThat(MessageTemplate.of("peer fe80::1ff:fe23:4567:890a dropped")).isEqualTo("peer <ip> dropped");
        assertThat(MessageTemplate.of("user \"alice\" denied: 'bad password'")).isEqualTo("user <str> denied: <str>");
        assertThat(MessageTemplate.of("cannot open /var/lib/app/data-17.db: permission denied"))
                .isEqualTo("cannot open <path>: permission denied");
        assertThat(MessageTemplate.of("GET https://api.example.org/v1/x?id=3 -> 502")).isEqualTo("GET <url> -> <num>");
        assertThat(MessageTemplate.of("at 2026-11-23T10:00:00.123Z level=error")).isEqualTo("at <num> level=error");
    }

    @Test
    void digitRunsInsideWordsAreMaskedWordsKept() {
        assertThat(MessageTemplate.of("worker-3 on db02 restarted")).isEqualTo("worker-<num> on db<num> restarted");
        // An apostrophe inside a word is not a quote.
        assertThat(MessageTemplate.of("can't reach it")).isEqualTo("can't reach it");
    }

    @Test
    void timeOfDayIsANumberNotAnIpv6Address() {
        assertThat(MessageTemplate.of("backup at 10:00:00 failed")).isEqualTo("backup at <num> failed");
    }

    @Test
    void whitespaceCollapsesAndLongLinesAreCut() {
        assertThat(MessageTemplate.of("  a \t\t b\n c  ")).isEqualTo("a b c");
        String longLine = "x".repeat(5000);
        assertThat(MessageTemplate.of(longLine)).hasSize(MessageTemplate.MAX_TEMPLATE_CHARS);
        assertThat(MessageTemplate.of(null)).isEmpty();
    }

    @Test
    void theTemplateRegexMatchesTheOriginalLines() {
        String raw = "connection refused to 10.0.0.7:5432 (attempt 3) \"db\"";
        String t = MessageTemplate.of(raw);
        Pattern re = Pattern.compile(MessageTemplate.toRegex(t));
        assertThat(re.matcher(raw).find()).isTrue();
        assertThat(re.matcher("connection refused to 10.9.9.9:1 (attempt 12) \"other\"").find()).isTrue();
        assertThat(re.matcher("disk full on /dev/sda1").find()).isFalse();
        assertThat(MessageTemplate.toRegex("a.b (c) <num>")).isEqualTo("^a\\.b\\s+\\(c\\)\\s+.*");
    }
}
