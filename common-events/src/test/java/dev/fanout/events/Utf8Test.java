package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void truncationNeverSplitsACodePoint() {
        String s = "a".repeat(1022) + "é" + "x"; // é is 2 bytes: fits exactly at 1024
        assertThat(PubSubLimits.truncateAttributeValue(s)).isEqualTo("a".repeat(1022) + "é");
        String t = "a".repeat(1023) + "é"; // é would straddle the boundary
        assertThat(PubSubLimits.truncateAttributeValue(t)).isEqualTo("a".repeat(1023));
        String cjk = "a".repeat(1022) + "日"; // 3 bytes
        assertThat(PubSubLimits.truncateAttributeValue(cjk)).isEqualTo("a".repeat(1022));
        String emoji = "a".repeat(1021) + "😀"; // surrogate pair, 4 bytes
        assertThat(PubSubLimits.truncateAttributeValue(emoji)).isEqualTo("a".repeat(1021));
        String emojiFits = "a".repeat(1020) + "😀b";
        assertThat(PubSubLimits.truncateAttributeValue(emojiFits)).isEqualTo("a".repeat(1020) + "😀");
        for (String v : new String[] {s, t, cjk, emoji, emojiFits, "😀".repeat(400), "日本".repeat(500)}) {
            String out = PubSubLimits.truncateAttributeValue(v);
            byte[] b = out.getBytes(StandardCharsets.UTF_8);
            assertThat(b.length).isLessThanOrEqualTo(PubSubLimits.MAX_ATTRIBUTE_VALUE_BYTES);
            assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo(out);
            assertThat(v).startsWith(out);
        }
        assertThat(PubSubLimits.truncateAttributeValue("short")).isEqualTo("short");
    }

    @Test
    void lengthMatchesTheJdkEncoder() {
        for (String v : new String[] {"", "abc", "é", "日本語", "😀x", "a\u0000b"}) {
            assertThat(Utf8.length(v)).isEqualTo(v.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void validation() {
        byte[] ok = "ascii é 日 😀".getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.firstInvalid(ok, 0, ok.length)).isEqualTo(-1);
        assertThat(Utf8.firstInvalid(new byte[] {'a', (byte) 0x80}, 0, 2)).isEqualTo(1);
        assertThat(Utf8.firstInvalid(new byte[] {(byte) 0xE6, (byte) 0x97}, 0, 2)).isEqualTo(0); // truncated
        assertThat(Utf8.firstInvalid(new byte[] {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, 0, 4)).isEqualTo(0);
        assertThat(Utf8.firstInvalid(new byte[] {(byte) 0xF0, (byte) 0x8F, (byte) 0x80, (byte) 0x80}, 0, 4)).isEqualTo(0);
        assertThat(Utf8.firstInvalid(new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, 0, 3)).isEqualTo(0);
        // A range that ends before the bad byte is fine.
        assertThat(Utf8.firstInvalid(new byte[] {'a', (byte) 0xFF}, 0, 1)).isEqualTo(-1);
    }
}
