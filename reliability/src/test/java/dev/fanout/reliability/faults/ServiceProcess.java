package dev.fanout.reliability.faults;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One packaged Quarkus app ({@code target/quarkus-app/quarkus-run.jar}) as its own OS process, so
 * kill -9 and SIGSTOP are real. Restarts keep the port, the configuration and the log file (every
 * run appends to it).
 */
final class ServiceProcess implements AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    final String name;
    private final Path jar;
    private final Path log;
    private final int port;
    private final Map<String, String> props;
    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    ServiceProcess(String name, Path jar, Path logDir, Map<String, String> props, Map<String, String> env)
            throws IOException {
        this.name = name;
        this.jar = jar;
        this.log = logDir.resolve(name + ".log");
        this.port = freePort();
        this.props = new TreeMap<>(props);
        this.env = env;
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package " + name + " first (the reactor does it for verify)");
        }
        Files.createDirectories(logDir);
    }

    int port() {
        return port;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    long pid() {
        return process.pid();
    }

    /** Starts the process and waits until it answers HTTP (readiness may still be DOWN). */
    ServiceProcess start() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Five JVMs share two cores and the test JVM: small heaps, a cheap GC.
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Files.writeString(log, "==== start " + java.time.Instant.now() + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = pb.start();
        awaitHttp();
        return this;
    }

    /** Waits until readiness answers 200. */
    ServiceProcess awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            requireAlive();
            if (status("/q/health/ready") == 200) {
                return this;
            }
            // Another process coming up: nothing to latch on but polling.
            Thread.sleep(200);
        }
        throw new AssertionError(name + " not ready within " + timeout + ":\n" + logTail());
    }

    /** SIGKILL: no shutdown hook, no flush. */
    void kill9() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    void sigstop() throws Exception {
        signal("STOP");
    }

    void sigcont() throws Exception {
        signal("CONT");
    }

    private void signal(String sig) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start();
        if (k.waitFor() != 0) {
            throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String logTail() {
        try {
            String all = Files.readString(log, StandardCharsets.UTF_8);
            return all.substring(Math.max(0, all.length() - 6000));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    Path log() {
        return log;
    }

    private void awaitHttp() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            requireAlive();
            if (status("/q/health/live") > 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " did not listen within " + START_TIMEOUT + ":\n" + logTail());
    }

    private void requireAlive() {
        if (!process.isAlive()) {
            throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + logTail());
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            // A stopped process ignores SIGTERM until continued; SIGKILL works either way.
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
