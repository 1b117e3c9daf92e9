package dev.fanout.cli;

import dev.fanout.events.Envelope;
import dev.fanout.events.EnvelopeCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the CLI in-process with its own environment, capturing stdout and stderr. */
public record CliRun(int exit, byte[] stdout, String stderr) {

    public static CliRun run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code = FanoutCli.commandLine(env, out, new PrintWriter(err, true)).execute(args);
        return new CliRun(code, out.toByteArray(), err.toString());
    }

    /** A minimal environment: no real credentials or Cloud Run variables leak in from the machine. */
    public static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    public String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public List<String> outLines() {
        String s = out();
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    public List<Envelope> envelopes() throws IOException {
        return new ArrayList<>(EnvelopeCodec.readNdjson(new java.io.ByteArrayInputStream(stdout)));
    }

    @Override
    public String toString() {
        return "exit " + exit + "\nstderr:\n" + stderr;
    }

    public static Map<String, String> with(Map<String, String> env, String... kv) {
        Map<String, String> m = new HashMap<>(env);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
