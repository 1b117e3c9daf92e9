package dev.fanout.cli.send;

import dev.fanout.cli.Console;
import dev.fanout.cli.ExitCodes;
import dev.fanout.cli.FanoutCli;
import dev.fanout.cli.Tokens;
import dev.fanout.cli.UsageException;
import dev.fanout.cli.targets.BodyCompression;
import dev.fanout.cli.targets.HttpNdjsonClient;
import dev.fanout.cli.targets.TargetFatalException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code fanout send}: NDJSON (Cribl-style events) from files or stdin to an ingest URL. */
@Command(name = "send",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Posts NDJSON events (one JSON object per line, Cribl's shape: _raw, _time, host, …) from files or stdin to an ingest bridge or the local pipeline (POST <url>/v1/events), in bodies of at most --max-body-bytes (gzip unless the URL is loopback, see --compress), with the ingest token. 503/429/5xx are retried (Retry-After honoured). Exit 0 only if every line was accepted (malformed lines are kept by the bridge as raw events, and reported here).",
        footerHeading = "%nExamples:%n",
        footer = {
                "  fanout send events.ndjson                      # to ./run-local, with its generated token",
                "  zcat logs.ndjson.gz | fanout send --url https://ingest.example.org -",
                "  FANOUT_INGEST_TOKEN=… fanout send --url http://127.0.0.1:8081 a.ndjson b.ndjson.gz",
        })
public final class SendCommand implements Callable<Integer> {

    @ParentCommand
    FanoutCli parent;

    @Parameters(paramLabel = "FILE", arity = "0..*",
            description = "NDJSON files (.gz is decompressed); '-' or none reads stdin.")
    List<String> files = new ArrayList<>();

    @Option(names = "--url", defaultValue = "http://localhost:8080", paramLabel = "URL",
            description = "Ingest base URL (…/v1/events is appended unless present). Default: ${DEFAULT-VALUE}.")
    URI url;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File with the ingest token. Default: FANOUT_INGEST_TOKEN, FANOUT_INGEST_TOKENS, or $FANOUT_DATA_DIR/ingest-token.")
    Path tokenFile;

    @Option(names = "--max-body-bytes", defaultValue = "4194304", paramLabel = "BYTES",
            description = "Largest uncompressed body per request (Cribl's default batch). Default: ${DEFAULT-VALUE}.")
    int maxBodyBytes;

    @Option(names = "--retry-for", defaultValue = "2m", paramLabel = "DURATION",
            description = "How long to retry a 503/5xx or unreachable URL per request. Default: ${DEFAULT-VALUE}.")
    String retryFor;

    @Option(names = "--compress", defaultValue = "auto", paramLabel = "auto|gzip|none",
            converter = BodyCompression.Converter.class,
            description = "Request bodies: gzip, none, or auto (none to localhost or a loopback address, gzip otherwise). "
                    + "Default: ${DEFAULT-VALUE}.")
    BodyCompression compress;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = parent.env();
        Console console = new Console(parent.spec().commandLine().getErr(), Console.defaultFormat(env));
        if (maxBodyBytes < 1024) {
            throw new UsageException("--max-body-bytes must be at least 1024");
        }
        String token = Tokens.ingestToken(tokenFile, env);
        String base = url.toString().replaceAll("/+$", "");
        URI endpoint = URI.create(base.endsWith("/v1/events") ? base : base + "/v1/events");
        Duration retry = dev.fanout.cli.replay.ReplayCommand.parseDuration(retryFor, "--retry-for");
        HttpNdjsonClient client = new HttpNdjsonClient(endpoint, token, Map.of(), retry, Duration.ofSeconds(60), compress);

        long lines = 0, accepted = 0, malformed = 0, requests = 0;
        List<String> inputs = files.isEmpty() ? List.of("-") : files;
        try {
            for (String f : inputs) {
                try (InputStream in = open(f)) {
                    Batcher b = new Batcher(in, maxBodyBytes);
                    for (Batcher.Chunk c = b.next(); c != null; c = b.next()) {
                        HttpNdjsonClient.Response r = client.post(c.data(), 0, c.length());
                        requests++;
                        lines += c.lines();
                        if (r.status() / 100 != 2) {
                            console.error(f + ": " + c.lines() + " lines refused: " + r.describe());
                            return ExitCodes.INCOMPLETE;
                        }
                        accepted += r.body().path("accepted").asLong(0);
                        malformed += r.body().path("malformed").asLong(0);
                    }
                }
            }
        } catch (TargetFatalException e) {
            console.error(e.getMessage());
            summary(console, requests, lines, accepted, malformed);
            return ExitCodes.FAILED;
        }
        summary(console, requests, lines, accepted, malformed);
        return malformed == 0 && accepted >= lines ? ExitCodes.OK : ExitCodes.INCOMPLETE;
    }

    private static void summary(Console console, long requests, long lines, long accepted, long malformed) {
        console.event("INFO", String.format(Locale.ROOT, "sent %,d lines in %d requests: %,d accepted, %,d malformed (kept as raw events)",
                lines, requests, accepted, malformed), Map.of("lines", lines, "requests", requests,
                "accepted", accepted, "malformed", malformed));
    }

    private InputStream open(String f) throws IOException {
        InputStream in = f.equals("-") ? System.in : Files.newInputStream(Path.of(f));
        InputStream buffered = new java.io.BufferedInputStream(in, 1 << 16);
        buffered.mark(2);
        int b1 = buffered.read();
        int b2 = buffered.read();
        buffered.reset();
        // Sniff gzip like the bridge does, whatever the file is called.
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(buffered, 1 << 16) : buffered;
    }

    /** Cuts a stream into bodies of whole lines of at most {@code max} bytes (a longer line goes alone). */
    static final class Batcher {
        record Chunk(byte[] data, int length, int lines) {}

        private final InputStream in;
        private final int max;
        private byte[] carry;
        private boolean eof;

        Batcher(InputStream in, int max) {
            this.in = in;
            this.max = max;
        }

        Chunk next() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(max, 1 << 20));
            int lines = 0;
            ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
            if (carry != null) {
                // The line that did not fit the previous body opens this one.
                body.write(carry);
                body.write('\n');
                lines++;
                carry = null;
            }
            while (true) {
                int c = eof ? -1 : in.read();
                if (c == -1) {
                    eof = true;
                }
                if (c == '\n' || c == -1) {
                    byte[] l = line.toByteArray();
                    line.reset();
                    if (!isBlank(l)) {
                        if (lines > 0 && body.size() + l.length + 1 > max) {
                            carry = l;
                            return new Chunk(body.toByteArray(), body.size(), lines);
                        }
                        body.write(l);
                        body.write('\n');
                        lines++;
                    }
                    if (c == -1) {
                        return lines == 0 ? null : new Chunk(body.toByteArray(), body.size(), lines);
                    }
                    continue;
                }
                line.write(c);
            }
        }

        private static boolean isBlank(byte[] l) {
            for (byte b : l) {
                if (b != ' ' && b != '\t' && b != '\r') {
                    return false;
                }
            }
            return true;
        }
    }
}
