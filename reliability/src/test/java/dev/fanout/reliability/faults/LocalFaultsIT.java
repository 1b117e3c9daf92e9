package dev.fanout.reliability.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testsupport.s3.S3ProxyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local pipeline (one process, the durable journal, every sink: the archive on s3proxy,
 * DuckDB's {@code events_raw}, alert e-mail to the outbox) under a kill -9 loop and a full journal,
 * with the same conservation table as {@link CloudFaultsIT}. {@code events_raw} is read from the
 * DuckDB file after a SIGTERM (one process may open it).
 *
 * <p>Two kinds of full disk: the journal's own bound ({@code max-disk-bytes}, always), and a real
 * ENOSPC from a 192 KiB tmpfs mounted under the journal — only where {@code mount} works (root, as in
 * this suite's dev machine; not on CI runners, which then report the row as skipped).
 */
class LocalFaultsIT {

    private static final String TOKEN = "local-fault-suite-token";
    private static final String BUCKET = "local-archive";
    private static final int OUTBOX_BUDGET = 20;
    private static Path root;
    private static Path work;
    private static S3ProxyProcess s3;
    private static final Conservation table = new Conservation();
    private static final SeqIndex archive = new SeqIndex();

    @BeforeAll
    static void start() throws Exception {
        root = Path.of(System.getProperty("faults.root", "..")).toAbsolutePath().normalize();
        work = root.resolve("reliability/target/faults-local");
        unmountIfMounted(work.resolve("tmpfs-data/journal"));
        CloudFaultsIT.deleteTree(work);
        Files.createDirectories(work);
        s3 = S3ProxyProcess.start(Path.of(System.getProperty(S3ProxyProcess.JAR_PROPERTY)), work.resolve("s3"), false);
        Files.createDirectories(s3.dataDir().resolve(BUCKET));
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        unmountIfMounted(work.resolve("tmpfs-data/journal"));
    }

    @Test
    void theLocalPipelineLosesNothingAnswered200UnderKillNineAndAFullDisk() throws Exception {
        long total = Long.getLong("faults.events", 12_000);
        int kills = Integer.getInteger("faults.local-kills", 5);

        // 1. kill -9 under load, restarted at once, `kills` times.
        Path data = work.resolve("kill9-data");
        ServiceProcess app = pipeline(data, Map.of());
        app.start().awaitReady(ServiceProcess.START_TIMEOUT);
        long perKill = Math.max(500, total / 3 / kills);
        // Unbounded quota: the loop decides when the load ends, so every run between kills gets some.
        Sender sender = new Sender(app.uri("/v1/events"), TOKEN, "local-kill9", Long.MAX_VALUE / 2, 4, perKill / 3.0);
        java.util.Random random = new java.util.Random(12);
        for (int i = 0; i < kills; i++) {
            awaitAcceptedMore(sender, perKill / 2, Duration.ofSeconds(30));
            // Mid-batch: somewhere inside the local batch age (2 s) and the 1 s ack checkpoint.
            Thread.sleep(200 + random.nextInt(1800));
            app.kill9();
            app.start();
        }
        awaitAcceptedMore(sender, perKill / 2, Duration.ofSeconds(30));
        sender.stop();
        long lifted = System.nanoTime();
        boolean converged = awaitArchived(sender.accepted, Duration.ofSeconds(180));
        double recover = (System.nanoTime() - lifted) / 1e9;
        addRow("kill -9 ×" + kills + " under load (restarted at once)", sender, app, data, converged, recover, kills + " kills");

        // 2. The journal's bound: the archive's S3 down, the journal (256 KiB) fills, 503 until S3 is back.
        data = work.resolve("bound-data");
        app = pipeline(data, Map.of(
                "fanout.consumer.local.journal.max-disk-bytes", "131072",
                "fanout.consumer.local.journal.segment-bytes", "8192"));
        app.start().awaitReady(ServiceProcess.START_TIMEOUT);
        addRow("journal full (max-disk-bytes 128 KiB, archive's S3 down 10 s)", fullDisk(app, total / 3), app, data);

        // 3. A real ENOSPC: the journal on a 2 MiB tmpfs, the archive's S3 down.
        data = work.resolve("tmpfs-data");
        Path journal = data.resolve("journal");
        Files.createDirectories(journal);
        if (mount(journal, "192k")) {
            try {
                app = pipeline(data, Map.of("fanout.consumer.local.journal.segment-bytes", "32768"));
                app.start().awaitReady(ServiceProcess.START_TIMEOUT);
                addRow("disk full (journal on a 192 KiB tmpfs, archive's S3 down 10 s)", fullDisk(app, total / 3), app, data);
            } finally {
                unmountIfMounted(journal);
            }
        } else {
            System.out.println("[faults] disk full (tmpfs): skipped, mount -t tmpfs needs root here");
        }

        String title = "Local pipeline (durable journal), " + java.time.Instant.now();
        table.write(root.resolve("reliability/target/faults/local.md"), "### " + title);
        System.out.println("\n" + title + "\n" + table.table());
        for (Conservation.Row r : table.rows()) {
            assertThat(r.missing()).as("events answered 200 and missing after: " + r.fault()).isZero();
            assertThat(r.emailsSent()).as("outbox e-mails vs budget after: " + r.fault()).isLessThanOrEqualTo(OUTBOX_BUDGET);
            assertThat(r.answered200()).as("accepted anything at all: " + r.fault()).isPositive();
        }
    }

    /** Load while the archive's S3 is down: the journal fills and answers 503; then S3 is back and the backlog drains. */
    private Sender fullDisk(ServiceProcess app, long quota) throws Exception {
        Sender sender = new Sender(app.uri("/v1/events"), TOKEN, "local-full", quota, 4, Math.max(300, quota / 12.0));
        Thread.sleep(500);
        S3ProxyProcess.Outage outage = s3.outage();
        Thread.sleep(10_000);
        s3 = outage.end();
        lastLifted = System.nanoTime();
        sender.awaitDone(Duration.ofSeconds(120));
        return sender;
    }

    private static long lastLifted;

    private static void awaitAcceptedMore(Sender sender, long events, Duration timeout) throws InterruptedException {
        long target = sender.accepted.size() + events;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (sender.accepted.size() < target && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private void addRow(String fault, Sender sender, ServiceProcess app, Path data) throws Exception {
        boolean converged = awaitArchived(sender.accepted, Duration.ofSeconds(180));
        addRow(fault, sender, app, data, converged, (System.nanoTime() - lastLifted) / 1e9, sender.refused.get() + " requests 503");
    }

    private void addRow(String fault, Sender sender, ServiceProcess app, Path data, boolean converged, double recover,
            String hits) throws Exception {
        // A SIGTERM lets the sinks finish; DuckDB's file is then free to open here.
        app.stop();
        SeqIndex raw = eventsRaw(data.resolve("analytics.duckdb"));
        int mails;
        try (Stream<Path> s = Files.list(data.resolve("outbox"))) {
            mails = (int) s.filter(p -> p.toString().endsWith(".json")).count();
        } catch (java.nio.file.NoSuchFileException none) {
            mails = 0;
        }
        archive.scanObjects(s3.dataDir().resolve(BUCKET).resolve("events"), false);
        SeqIndex dead = new SeqIndex().scanObjects(s3.dataDir().resolve(BUCKET).resolve("dead-letter"), true);
        table.add(new Conservation.Row(fault, "local", sender.accepted.size(), sender.refused.get(), sender.failed.get(),
                Conservation.SinkCount.of(sender.accepted, archive, dead),
                Conservation.SinkCount.of(sender.accepted, raw, dead),
                mails, OUTBOX_BUDGET, recover, converged, hits));
    }

    private ServiceProcess pipeline(Path data, Map<String, String> extra) throws Exception {
        Map<String, String> props = new LinkedHashMap<>(Map.of(
                "quarkus.profile", "local",
                "quarkus.http.host", "127.0.0.1",
                "fanout.alerts.group-wait", "2s",
                "fanout.alerts.budget.daily", Integer.toString(OUTBOX_BUDGET)));
        props.putAll(extra);
        Map<String, String> env = new LinkedHashMap<>(Map.of(
                "FANOUT_DATA_DIR", data.toString(),
                "FANOUT_INGEST_TOKENS", TOKEN,
                "FANOUT_ARCHIVE_BACKEND", "s3",
                "FANOUT_ARCHIVE_S3_ENDPOINT", s3.endpoint().toString(),
                "FANOUT_ARCHIVE_S3_BUCKET", BUCKET,
                "FANOUT_ARCHIVE_S3_REGION", "us-east-1",
                "FANOUT_ARCHIVE_S3_ACCESS_KEY_ID", s3.accessKeyId(),
                "FANOUT_ARCHIVE_S3_SECRET_ACCESS_KEY", s3.secretAccessKey()));
        env.put("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required");
        env.put("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");
        Files.createDirectories(data);
        return new ServiceProcess("local-pipeline-" + data.getFileName(), root.resolve("local-pipeline/target/quarkus-app/quarkus-run.jar"),
                work.resolve("logs"), props, env);
    }

    private boolean awaitArchived(Set<Long> accepted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            archive.scanObjects(s3.dataDir().resolve(BUCKET).resolve("events"), false);
            if (accepted.stream().allMatch(s -> archive.count(s) > 0)) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    private static SeqIndex eventsRaw(Path duckdb) throws Exception {
        SeqIndex idx = new SeqIndex();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdb, readOnly());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT CAST(payload AS VARCHAR) FROM events_raw")) {
            while (rs.next()) {
                rows.add(Map.of("payload", rs.getString(1)));
            }
        }
        return idx.scanRows(rows);
    }

    private static java.util.Properties readOnly() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("duckdb.read_only", "true");
        return p;
    }

    private static boolean mount(Path dir, String size) {
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                System.out.println("[faults] mount tmpfs failed: " + out.strip());
                return false;
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static void unmountIfMounted(Path dir) {
        try {
            if (Files.readString(Path.of("/proc/mounts")).contains(" " + dir.toAbsolutePath() + " ")) {
                new ProcessBuilder("umount", dir.toString()).inheritIO().start().waitFor();
            }
        } catch (Exception ignored) {
            // not Linux, or not mounted
        }
    }
}
