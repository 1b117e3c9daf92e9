package dev.fanout.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged app as its own process, the way {@code ./run-local} runs it, on one data directory
 * that outlives restarts. Every run appends to {@code app.log} in the data directory.
 */
final class PipelineProcess implements AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dataDir;
    private final Path log;
    private int port;
    private final List<String> props;
    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process app;
    private long logOffset;

    PipelineProcess(Path dataDir, List<String> props, Map<String, String> env) throws IOException {
        this.dataDir = dataDir;
        this.log = dataDir.resolve("app.log");
        this.port = freePort();
        this.props = props;
        this.env = env;
        Files.createDirectories(dataDir);
    }

    /**
     * Starts the app and waits until it listens (readiness may be DOWN, e.g. with the S3 backend down).
     * The port was free when chosen, but another process may take it before the app binds it
     * (other modules' tests run beside these): then the app exits at once and gets a new port.
     */
    PipelineProcess start(List<String> extraProps) throws Exception {
        for (int attempt = 1; ; attempt++) {
            launch(extraProps);
            try {
                awaitListening();
                return this;
            } catch (AssertionError e) {
                if (attempt < 3 && !app.isAlive() && runLog().contains("seems to be in use by another process")) {
                    port = freePort();
                    continue;
                }
                throw e;
            }
        }
    }

    private void launch(List<String> extraProps) throws IOException {
        String jar = System.getProperty("local-pipeline.jar", "target/quarkus-app/quarkus-run.jar");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseParallelGC", "-Dquarkus.profile=local", "-Dquarkus.http.host=127.0.0.1"));
        props.forEach(p -> cmd.add("-D" + p));
        extraProps.forEach(p -> cmd.add("-D" + p));
        cmd.add("-jar");
        cmd.add(jar);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("FANOUT_DATA_DIR", dataDir.toString());
        pb.environment().remove("FANOUT_INGEST_TOKENS");
        pb.environment().putAll(env);
        logOffset = Files.exists(log) ? Files.size(log) : 0;
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        app = pb.start();
    }

    /** Waits until readiness answers 200: every sink and the bus are ready. */
    PipelineProcess awaitReady() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new AssertionError("the app exited with " + app.exitValue() + " during startup:\n" + runLog());
            }
            try {
                if (http.send(HttpRequest.newBuilder(ready()).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not ready to answer yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the app was not ready within " + START_TIMEOUT + ":\n" + runLog());
    }

    PipelineProcess start() throws Exception {
        return start(List.of());
    }

    URI ingest() {
        return URI.create("http://127.0.0.1:" + port + "/v1/events");
    }

    URI ready() {
        return URI.create("http://127.0.0.1:" + port + "/q/health/ready");
    }

    /** Any path of the app, e.g. {@code /v1/status}. */
    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    String token() throws IOException {
        return Files.readString(dataDir.resolve(GeneratedTokenSource.FILE_NAME)).strip();
    }

    /** SIGTERM and wait; returns the exit status. */
    int sigterm(Duration timeout) throws Exception {
        app.destroy();
        if (!app.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("no exit within " + timeout + " after SIGTERM:\n" + runLog());
        }
        return app.exitValue();
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill9() throws InterruptedException {
        app.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** What this run (since the last start) wrote to the log. */
    String runLog() throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) Math.min(all.length, logOffset), (int) Math.max(0, all.length - logOffset),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The readiness answer's body (status 200 or 503). */
    String readiness() throws Exception {
        return http.send(HttpRequest.newBuilder(ready()).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private void awaitListening() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new AssertionError("the app exited with " + app.exitValue() + " during startup:\n" + runLog());
            }
            try {
                http.send(HttpRequest.newBuilder(ready()).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                // not listening yet
            }
            // Waiting for another process to open its port: there is nothing to latch on.
            Thread.sleep(100);
        }
        throw new AssertionError("the app did not listen within " + START_TIMEOUT + ":\n" + runLog());
    }

    @Override
    public void close() throws Exception {
        if (app != null && app.isAlive()) {
            app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void appendTo(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
