package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BytesTest {

    private static int naive(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Test
    void findsTheFirstNewlineLikeAPlainLoopForEveryOffsetAndLength() {
        Random r = new Random(42);
        for (int round = 0; round < 2000; round++) {
            byte[] b = new byte[r.nextInt(70)];
            for (int i = 0; i < b.length; i++) {
                // Bytes next to '\n' (0x09, 0x0B), 0x8A, 0x00 and 0xFF are where a word trick goes wrong.
                int pick = r.nextInt(8);
                b[i] = (byte) (pick == 0 ? '\n' : pick == 1 ? 0x09 : pick == 2 ? 0x0B : pick == 3 ? 0x8A
                        : pick == 4 ? 0 : pick == 5 ? 0xFF : 'a' + r.nextInt(26));
                if (round % 3 == 0 && b[i] == '\n') {
                    b[i] = 'x';
                }
            }
            int from = b.length == 0 ? 0 : r.nextInt(b.length + 1);
            int to = from + r.nextInt(b.length - from + 1);
            assertThat(Bytes.indexOfNewline(b, from, to)).as("round %d", round).isEqualTo(naive(b, from, to));
        }
    }

    @Test
    void stopsAtTheEndOfTheRange() {
        byte[] b = "abcdefghijklmnop\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(Bytes.indexOfNewline(b, 0, 16)).isEqualTo(-1);
        assertThat(Bytes.indexOfNewline(b, 0, 17)).isEqualTo(16);
        assertThat(Bytes.indexOfNewline(b, 17, 17)).isEqualTo(-1);
    }
}
