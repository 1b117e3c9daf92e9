package dev.fanout.testsupport.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs s3proxy (a real S3 API server, filesystem backend) as a separate java process on a
 * loopback port, for tests and local runs against the real AWS SDK.
 *
 * <p>The jar is {@code org.gaul:s3proxy:<version>:jar:jar-with-dependencies}; builds copy it with
 * the Maven dependency plugin and pass its path in the system property {@value #JAR_PROPERTY}.
 * It is never put on a classpath: it brings Jackson 3, Jetty, jclouds and logback, which clash
 * with application classpaths.
 *
 * <pre>{@code
 * try (S3ProxyProcess s3 = S3ProxyProcess.start()) {
 *     URI endpoint = s3.endpoint(); // http://127.0.0.1:<port>, region any, path style
 * }
 * }</pre>
 */
public final class S3ProxyProcess implements AutoCloseable {

    /** System property holding the path of the s3proxy jar-with-dependencies. */
    public static final String JAR_PROPERTY = "s3proxy.jar";

    public static final String ACCESS_KEY_ID = "fanout-test-access-key";
    public static final String SECRET_ACCESS_KEY = "fanout-test-secret-key";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final int BIND_ATTEMPTS = 3;

    private final Process process;
    private final URI endpoint;
    private final Path jar;
    private final Path workDir;
    private final Path dataDir;
    private final Path logFile;
    private final boolean deleteWorkDir;
    private final Thread reaper;

    private S3ProxyProcess(Process process, URI endpoint, Path jar, Path workDir, Path dataDir, Path logFile,
            boolean deleteWorkDir) {
        this.process = process;
        this.endpoint = endpoint;
        this.jar = jar;
        this.workDir = workDir;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.deleteWorkDir = deleteWorkDir;
        // A test JVM that dies without stop() must not leave a server running on a shared machine.
        this.reaper = new Thread(process::destroyForcibly, "s3proxy-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts s3proxy from the jar named by {@value #JAR_PROPERTY} with a fresh temp directory. */
    public static S3ProxyProcess start() throws IOException, InterruptedException {
        String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || jar.isBlank()) {
            throw new IllegalStateException("system property " + JAR_PROPERTY
                    + " is not set: copy org.gaul:s3proxy:jar-with-dependencies in the build and pass its path");
        }
        return start(Path.of(jar), Files.createTempDirectory("s3proxy-"), true);
    }

    /**
     * Starts s3proxy from {@code jar}, storing buckets under {@code workDir/data}.
     *
     * @param deleteWorkDir whether {@link #close} deletes {@code workDir}
     */
    public static S3ProxyProcess start(Path jar, Path workDir, boolean deleteWorkDir)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("s3proxy jar not found: " + jar);
        }
        Files.createDirectories(workDir.resolve("data"));
        IOException last = null;
        // Free-port probing races with other processes; a lost race shows as an early exit.
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            try {
                return launch(jar, workDir, deleteWorkDir, freeLoopbackPort(), attempt);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private static S3ProxyProcess launch(Path jar, Path workDir, boolean deleteWorkDir, int port, int attempt)
            throws IOException, InterruptedException {
        Path dataDir = workDir.resolve("data");
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        Path props = workDir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY_ID,
                "s3proxy.credential=" + SECRET_ACCESS_KEY,
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + dataDir.toAbsolutePath(),
                ""), StandardCharsets.UTF_8);
        Path log = workDir.resolve("s3proxy-" + attempt + ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A small heap: it serves a few test objects, and the machine is shared.
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-jar");
        cmd.add(jar.toAbsolutePath().toString());
        cmd.add("--properties");
        cmd.add(props.toAbsolutePath().toString());
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            awaitReady(p, endpoint, log);
            return new S3ProxyProcess(p, endpoint, jar, workDir, dataDir, log, deleteWorkDir);
        } catch (IOException e) {
            destroy(p);
            throw e;
        }
    }

    /**
     * An outage of the S3 backend: kills this server (keeping its buckets) and returns a function
     * that starts it again on the same port with the same data, for clients configured with
     * {@link #endpoint()}.
     */
    public Outage outage() {
        destroy(process);
        return () -> {
            S3ProxyProcess next = launch(jar, workDir, deleteWorkDir, endpoint.getPort(), 1);
            removeReaper();
            return next;
        };
    }

    /** Starts the server of an {@link #outage()} again. */
    @FunctionalInterface
    public interface Outage {
        S3ProxyProcess end() throws IOException, InterruptedException;
    }

    private static void awaitReady(Process p, URI endpoint, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("s3proxy exited with " + p.exitValue() + ":\n" + tail(log));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint.toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                // Any HTTP answer (an unsigned GET / is 403 AccessDenied) means it serves requests.
                int status = c.getResponseCode();
                c.disconnect();
                if (status > 0) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet: poll again below.
            }
            // Waiting on another process to open its port: there is nothing to latch on.
            Thread.sleep(50);
        }
        throw new IOException("s3proxy did not answer within " + STARTUP_TIMEOUT + ":\n" + tail(log));
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    /** {@code http://127.0.0.1:<port>}; use path-style addressing and any region. */
    public URI endpoint() {
        return endpoint;
    }

    public String accessKeyId() {
        return ACCESS_KEY_ID;
    }

    public String secretAccessKey() {
        return SECRET_ACCESS_KEY;
    }

    /**
     * Creates {@code bucket} and returns the {@code fanout.archive.s3.*} settings of an app whose
     * archive is that bucket here.
     */
    public java.util.Map<String, String> archiveBucket(String bucket) throws IOException {
        Files.createDirectories(dataDir.resolve(bucket));
        return java.util.Map.of(
                "fanout.archive.s3.endpoint", endpoint.toString(),
                "fanout.archive.s3.bucket", bucket,
                "fanout.archive.s3.region", "us-east-1",
                "fanout.archive.s3.access-key-id", ACCESS_KEY_ID,
                "fanout.archive.s3.secret-access-key", SECRET_ACCESS_KEY);
    }

    /** Directory under which s3proxy keeps one sub-directory per bucket. */
    public Path dataDir() {
        return dataDir;
    }

    /** s3proxy's combined stdout/stderr, for diagnosing a failing test. */
    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Last lines of the s3proxy log. */
    public String logTail() {
        return tail(logFile);
    }

    /** Kills the process (it keeps no state worth a graceful stop) and deletes its temp directory if owned. */
    public void stop() {
        destroy(process);
        removeReaper();
        if (deleteWorkDir) {
            deleteRecursively(workDir);
        }
    }

    private void removeReaper() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // Called from another shutdown hook: the reaper runs anyway and finds the process gone.
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static void destroy(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Best effort: a temp directory left behind is not worth failing a test for.
                }
            });
        } catch (IOException ignored) {
            // Same as above.
        }
    }

    @Override
    public String toString() {
        return "S3ProxyProcess[" + endpoint + ", data=" + dataDir + "]";
    }
}
