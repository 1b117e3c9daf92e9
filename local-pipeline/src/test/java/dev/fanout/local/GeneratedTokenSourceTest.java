package dev.fanout.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedTokenSourceTest {

    @TempDir
    Path dir;

    @Test
    void createsAPrivateRandomTokenOnFirstLookupOnly() throws Exception {
        Path data = dir.resolve("data");
        GeneratedTokenSource source = new GeneratedTokenSource(data);
        assertThat(source.getPropertyNames()).isEmpty();
        assertThat(source.getValue("fanout.ingest.other")).isNull();
        assertThat(data).doesNotExist();

        String token = source.getValue(GeneratedTokenSource.KEY);
        Path file = data.resolve(GeneratedTokenSource.FILE_NAME);
        assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(Files.readString(file).strip()).isEqualTo(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(source.generated()).isTrue();
        assertThat(source.getValue(GeneratedTokenSource.KEY)).isEqualTo(token);
        assertThat(new GeneratedTokenSource(dir.resolve("other")).getValue(GeneratedTokenSource.KEY)).isNotEqualTo(token);
    }

    @Test
    void theReplayTokenIsASeparateTokenInItsOwnFile() throws Exception {
        GeneratedTokenSource ingest = new GeneratedTokenSource(dir);
        GeneratedTokenSource replay = GeneratedTokenSource.replay(dir);
        assertThat(replay.getValue(GeneratedTokenSource.KEY)).isNull();
        assertThat(ingest.getValue(GeneratedTokenSource.REPLAY_KEY)).isNull();
        String r = replay.getValue(GeneratedTokenSource.REPLAY_KEY);
        String i = ingest.getValue(GeneratedTokenSource.KEY);
        assertThat(r).hasSize(43).isNotEqualTo(i);
        Path file = dir.resolve(GeneratedTokenSource.REPLAY_FILE_NAME);
        assertThat(Files.readString(file).strip()).isEqualTo(r);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(replay.getName()).isEqualTo(GeneratedTokenSource.REPLAY_NAME).isNotEqualTo(ingest.getName());
        assertThat(GeneratedTokenSource.replay(dir).getValue(GeneratedTokenSource.REPLAY_KEY)).isEqualTo(r);
    }

    @Test
    void aRestartReadsTheSameToken() {
        String first = new GeneratedTokenSource(dir).getValue(GeneratedTokenSource.KEY);
        GeneratedTokenSource again = new GeneratedTokenSource(dir);
        assertThat(again.getValue(GeneratedTokenSource.KEY)).isEqualTo(first);
        assertThat(again.generated()).isFalse();
    }

    @Test
    void anEmptyLeftoverFileIsFilledWithAFreshToken() throws Exception {
        Path file = dir.resolve(GeneratedTokenSource.FILE_NAME);
        Files.writeString(file, "  \n");
        String token = new GeneratedTokenSource(dir).getValue(GeneratedTokenSource.KEY);
        assertThat(token).hasSize(43);
        assertThat(Files.readString(file).strip()).isEqualTo(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void anUnwritableDataDirectoryIsAClearError() throws Exception {
        Path notADir = dir.resolve("file");
        Files.writeString(notADir, "x");
        assertThatThrownBy(() -> new GeneratedTokenSource(notADir).getValue(GeneratedTokenSource.KEY))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("FANOUT_INGEST_TOKENS");
    }
}
