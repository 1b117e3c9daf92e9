package dev.fanout.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the CLI finds its secrets. Never from a command-line argument (visible in {@code ps} and
 * shell history): from a file ({@code --token-file}) or the environment. Values are never printed.
 */
public final class Tokens {
    private Tokens() {}

    /**
     * Replay token for {@code /v1/envelopes}: {@code --token-file}, else {@code FANOUT_REPLAY_TOKEN}, else
     * the first of {@code FANOUT_INGEST_REPLAY_TOKENS} (the bridge's own list, as in a shared local .env),
     * else the local pipeline's generated {@code $FANOUT_DATA_DIR/replay-token}.
     */
    public static String replayToken(Path tokenFile, Map<String, String> env) {
        if (tokenFile != null) {
            return read(tokenFile, "--token-file");
        }
        String t = env.get("FANOUT_REPLAY_TOKEN");
        if (t != null && !t.isBlank()) {
            return t.strip();
        }
        String list = env.get("FANOUT_INGEST_REPLAY_TOKENS");
        if (list != null && !list.isBlank()) {
            return list.split(",")[0].strip();
        }
        Path generated = Path.of(env.getOrDefault("FANOUT_DATA_DIR", "./data"), "replay-token");
        if (Files.isRegularFile(generated)) {
            return read(generated, generated.toString());
        }
        throw new UsageException("--to-url needs a replay token (one of the bridge's fanout.ingest.replay-tokens): "
                + "set FANOUT_REPLAY_TOKEN or pass --token-file (./run-local keeps its generated one in "
                + "$FANOUT_DATA_DIR/replay-token); an ordinary ingest token is refused with 403");
    }

    /**
     * Ingest token for {@code /v1/events}: {@code --token-file}, else {@code FANOUT_INGEST_TOKEN}, else the first
     * of {@code FANOUT_INGEST_TOKENS}, else the local pipeline's generated {@code $FANOUT_DATA_DIR/ingest-token}.
     */
    public static String ingestToken(Path tokenFile, Map<String, String> env) {
        if (tokenFile != null) {
            return read(tokenFile, "--token-file");
        }
        String t = env.get("FANOUT_INGEST_TOKEN");
        if (t != null && !t.isBlank()) {
            return t.strip();
        }
        String list = env.get("FANOUT_INGEST_TOKENS");
        if (list != null && !list.isBlank()) {
            return list.split(",")[0].strip();
        }
        Path generated = Path.of(env.getOrDefault("FANOUT_DATA_DIR", "./data"), "ingest-token");
        if (Files.isRegularFile(generated)) {
            return read(generated, generated.toString());
        }
        throw new UsageException("no ingest token: set FANOUT_INGEST_TOKEN or pass --token-file "
                + "(./run-local keeps its generated token in $FANOUT_DATA_DIR/ingest-token)");
    }

    private static String read(Path file, String what) {
        try {
            String s = Files.readString(file).strip();
            if (s.isEmpty()) {
                throw new UsageException(what + " " + file + " is empty");
            }
            return s;
        } catch (IOException e) {
            throw new UsageException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }
}
