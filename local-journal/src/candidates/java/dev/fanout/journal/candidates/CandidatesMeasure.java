package dev.fanout.journal.candidates;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The journal-library bake-off of docs/local-bus.md: every candidate appends records that must be
 * on disk (fsynced) before the append returns, with 1 or 8 concurrent appenders, and a kill -9
 * crash check (a child JVM appends, is killed, the parent reopens and checks every acknowledged
 * record). Not part of the build; run with the journal-candidates profile:
 * <pre>
 * ./mvnw -B -q -pl local-journal -am -Pjournal-candidates test-compile
 * ./mvnw -B -q -pl local-journal -Pjournal-candidates dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp local-journal/target/test-classes:local-journal/target/classes:$(cat /tmp/cp.txt) dev.fanout.journal.candidates.CandidatesMeasure /tmp/bakeoff
 * </pre>
 */
public final class CandidatesMeasure {

    interface Candidate extends AutoCloseable {
        /** Returns once the record is durably stored, with its sequence number. */
        long append(byte[] record) throws Exception;

        /** Sequence numbers of every stored record whose bytes are intact. */
        Set<Long> readAll() throws Exception;

        @Override
        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1], Path.of(args[2]), Integer.parseInt(args[3]));
            return;
        }
        Path root = Path.of(args.length > 0 ? args[0] : "/tmp/journal-bakeoff");
        List<String> names = args.length > 1 ? List.of(args[1].split(",")) : List.of("segments", "sqlite", "rocksdb", "mvstore");
        System.out.println("| candidate | message | appenders | messages/s | MB/s | disk bytes written per message byte |");
        System.out.println("|---|---|---|---|---|---|");
        for (String name : Boolean.getBoolean("crashOnly") ? List.<String>of() : names) {
            for (int size : new int[] {1 << 20, 5 * 1024}) {
                for (int threads : new int[] {1, 8}) {
                    Path dir = fresh(root.resolve(name));
                    int count = size > 100_000 ? 160 : (threads == 1 ? 2_000 : 16_000);
                    try (Candidate c = open(name, dir)) {
                        run(c, 10, size, threads); // warm-up
                        long w0 = writeBytes();
                        long t0 = System.nanoTime();
                        run(c, count, size, threads);
                        double s = (System.nanoTime() - t0) / 1e9;
                        long written = writeBytes() - w0;
                        System.out.printf("| %s | %s | %d | %,.0f | %,.1f | %.2f |%n", name, size > 100_000 ? "1 MiB" : "5 KiB",
                                threads, count / s, count * (double) size / s / 1e6, written / ((double) count * size));
                    }
                }
            }
        }
        System.out.println();
        System.out.println("| candidate | acknowledged before kill -9 | recovered | missing or corrupt | reopen ms |");
        System.out.println("|---|---|---|---|---|");
        for (String name : names) {
            crash(name, fresh(root.resolve(name + "-crash")));
        }
    }

    private static void run(Candidate c, int count, int size, int threads) throws Exception {
        AtomicLong left = new AtomicLong(count);
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(CompletableFuture.runAsync(() -> {
                byte[] rec = new byte[size];
                new java.util.Random().nextBytes(rec);
                try {
                    while (left.getAndDecrement() > 0) {
                        c.append(rec);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> new Thread(r).start()));
        }
        for (CompletableFuture<Void> f : fs) {
            f.join();
        }
    }

    private static void crash(String name, Path dir) throws Exception {
        String cp = System.getProperty("java.class.path");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                CandidatesMeasure.class.getName(), "child", name, dir.toString(), "64000")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Set<Long> acked = new HashSet<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            long until = System.nanoTime() + 3_000_000_000L;
            String line;
            while ((line = r.readLine()) != null) {
                acked.add(Long.parseLong(line));
                if (System.nanoTime() > until) {
                    p.toHandle().destroyForcibly(); // SIGKILL; Process.destroyForcibly would also close our end of stdout
                    break;
                }
            }
            while ((line = r.readLine()) != null) {
                if (!line.isEmpty()) {
                    try {
                        acked.add(Long.parseLong(line));
                    } catch (NumberFormatException torn) {
                        // a line cut by the kill
                    }
                }
            }
        }
        p.waitFor();
        long t0 = System.nanoTime();
        Set<Long> found;
        try (Candidate c = open(name, dir)) {
            found = c.readAll();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Set<Long> missing = new HashSet<>(acked);
        missing.removeAll(found);
        System.out.printf("| %s | %,d | %,d | %d | %d |%n", name, acked.size(), found.size(), missing.size(), ms);
    }

    /** Appends 64 KB-ish records from 4 threads and prints each acknowledged sequence number. */
    private static void child(String name, Path dir, int size) throws Exception {
        Candidate c = open(name, dir);
        java.io.PrintStream out = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        for (int t = 0; t < 4; t++) {
            new Thread(() -> {
                java.util.Random rnd = new java.util.Random();
                try {
                    while (true) {
                        byte[] rec = new byte[size / 2 + rnd.nextInt(size)];
                        rnd.nextBytes(rec);
                        long seq = c.append(rec);
                        synchronized (out) {
                            out.println(seq);
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }).start();
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    static Candidate open(String name, Path dir) throws Exception {
        return switch (name) {
            case "segments" -> new Segments(dir);
            case "sqlite" -> new Sqlite(dir);
            case "rocksdb" -> new Rocks(dir);
            case "mvstore" -> new MvStore(dir);
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Path fresh(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return Files.createDirectories(dir);
    }

    /** write_bytes of /proc/self/io: bytes this process caused to be sent to the block layer. */
    static long writeBytes() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (l.startsWith("write_bytes:")) {
                return Long.parseLong(l.substring(12).trim());
            }
        }
        return -1;
    }

    /** Payload with a CRC32C prefix so that every candidate's read-back checks the bytes the same way. */
    static byte[] framed(byte[] rec) {
        CRC32C crc = new CRC32C();
        crc.update(rec);
        return ByteBuffer.allocate(4 + rec.length).putInt((int) crc.getValue()).put(rec).array();
    }

    static boolean intact(byte[] framed) {
        if (framed == null || framed.length < 4) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(framed, 4, framed.length - 4);
        return ByteBuffer.wrap(framed).getInt() == (int) crc.getValue();
    }

    /** A group-commit writer thread shared by the candidates that need one. */
    abstract static class GroupCommit implements Candidate {
        record Req(byte[] rec, CompletableFuture<Long> done) {}

        final LinkedBlockingQueue<Req> queue = new LinkedBlockingQueue<>();
        final Thread writer = new Thread(this::loop, "writer");
        volatile boolean stop;

        void start() {
            writer.setDaemon(true);
            writer.start();
        }

        abstract long nextSeq();

        abstract void write(List<Req> batch, long firstSeq) throws Exception;

        @Override
        public long append(byte[] record) throws Exception {
            CompletableFuture<Long> f = new CompletableFuture<>();
            queue.put(new Req(record, f));
            return f.get();
        }

        private void loop() {
            List<Req> batch = new ArrayList<>();
            try {
                while (!stop) {
                    batch.add(queue.take());
                    queue.drainTo(batch, 4096);
                    long first = nextSeq();
                    try {
                        write(batch, first);
                        for (int i = 0; i < batch.size(); i++) {
                            batch.get(i).done.complete(first + i);
                        }
                    } catch (Exception e) {
                        batch.forEach(r -> r.done.completeExceptionally(e));
                    }
                    batch.clear();
                }
            } catch (InterruptedException e) {
                // closed
            }
        }

        void stopWriter() throws InterruptedException {
            stop = true;
            writer.interrupt();
            writer.join();
        }
    }

    /** Append-only file: [len][crc32c][seq][payload], one gathering write and one force per group. */
    static final class Segments extends GroupCommit {
        final FileChannel ch;
        long next;

        Segments(Path dir) throws IOException {
            ch = FileChannel.open(dir.resolve("00000000.seg"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            next = readAll().size();
            start();
        }

        @Override
        long nextSeq() {
            return next;
        }

        @Override
        void write(List<Req> batch, long firstSeq) throws IOException {
            ByteBuffer[] bufs = new ByteBuffer[batch.size() * 2];
            CRC32C crc = new CRC32C();
            for (int i = 0; i < batch.size(); i++) {
                byte[] rec = batch.get(i).rec;
                crc.reset();
                crc.update(rec);
                bufs[2 * i] = ByteBuffer.allocate(16).putInt(rec.length).putInt((int) crc.getValue()).putLong(firstSeq + i).flip();
                bufs[2 * i + 1] = ByteBuffer.wrap(rec);
            }
            long pos = ch.size();
            ch.position(pos);
            while (bufs[bufs.length - 1].hasRemaining()) {
                ch.write(bufs);
            }
            ch.force(false);
            next += batch.size();
        }

        @Override
        public Set<Long> readAll() throws IOException {
            Set<Long> seqs = new HashSet<>();
            long pos = 0;
            long size = ch.size();
            ByteBuffer h = ByteBuffer.allocate(16);
            while (pos + 16 <= size) {
                h.clear();
                ch.read(h, pos);
                h.flip();
                int len = h.getInt();
                int sum = h.getInt();
                long seq = h.getLong();
                if (len < 0 || pos + 16 + len > size) {
                    break;
                }
                ByteBuffer b = ByteBuffer.allocate(len);
                ch.read(b, pos + 16);
                CRC32C crc = new CRC32C();
                crc.update(b.array());
                if ((int) crc.getValue() != sum) {
                    break;
                }
                seqs.add(seq);
                pos += 16 + len;
            }
            ch.truncate(pos);
            return seqs;
        }

        @Override
        public void close() throws Exception {
            stopWriter();
            ch.close();
        }
    }

    /** SQLite in WAL mode, synchronous=FULL, one transaction per group. */
    static final class Sqlite extends GroupCommit {
        final Connection db;
        final PreparedStatement insert;
        long next;

        Sqlite(Path dir) throws Exception {
            db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("journal.db"));
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("CREATE TABLE IF NOT EXISTS m (seq INTEGER PRIMARY KEY, data BLOB NOT NULL)");
                try (ResultSet r = s.executeQuery("SELECT coalesce(max(seq)+1, 0) FROM m")) {
                    r.next();
                    next = r.getLong(1);
                }
            }
            db.setAutoCommit(false);
            insert = db.prepareStatement("INSERT INTO m (seq, data) VALUES (?, ?)");
            start();
        }

        @Override
        long nextSeq() {
            return next;
        }

        @Override
        void write(List<Req> batch, long firstSeq) throws Exception {
            for (int i = 0; i < batch.size(); i++) {
                insert.setLong(1, firstSeq + i);
                insert.setBytes(2, framed(batch.get(i).rec));
                insert.addBatch();
            }
            insert.executeBatch();
            db.commit();
            next += batch.size();
        }

        @Override
        public Set<Long> readAll() throws Exception {
            Set<Long> seqs = new HashSet<>();
            try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT seq, data FROM m")) {
                while (r.next()) {
                    if (intact(r.getBytes(2))) {
                        seqs.add(r.getLong(1));
                    }
                }
            }
            db.commit();
            return seqs;
        }

        @Override
        public void close() throws Exception {
            stopWriter();
            db.close();
        }
    }

    /** RocksDB with sync writes from every appender thread (RocksDB group-commits its WAL itself). */
    static final class Rocks implements Candidate {
        final Options options = new Options().setCreateIfMissing(true);
        final RocksDB db;
        final WriteOptions sync = new WriteOptions().setSync(true);
        final AtomicLong next;

        Rocks(Path dir) throws Exception {
            RocksDB.loadLibrary();
            db = RocksDB.open(options, dir.toString());
            next = new AtomicLong(readAll().size());
        }

        @Override
        public long append(byte[] record) throws Exception {
            long seq = next.getAndIncrement();
            db.put(sync, ByteBuffer.allocate(8).putLong(seq).array(), framed(record));
            return seq;
        }

        @Override
        public Set<Long> readAll() {
            Set<Long> seqs = new HashSet<>();
            try (RocksIterator it = db.newIterator()) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    if (intact(it.value())) {
                        seqs.add(ByteBuffer.wrap(it.key()).getLong());
                    }
                }
            }
            return seqs;
        }

        @Override
        public void close() {
            db.close();
            sync.close();
            options.close();
        }
    }

    /** H2 MVStore: one commit + sync per group. */
    static final class MvStore extends GroupCommit {
        final MVStore store;
        final MVMap<Long, byte[]> map;
        long next;

        MvStore(Path dir) {
            store = new MVStore.Builder().fileName(dir.resolve("journal.mv").toString()).autoCommitDisabled().open();
            map = store.openMap("m");
            Long last = map.lastKey();
            next = last == null ? 0 : last + 1;
            start();
        }

        @Override
        long nextSeq() {
            return next;
        }

        @Override
        void write(List<Req> batch, long firstSeq) {
            for (int i = 0; i < batch.size(); i++) {
                map.put(firstSeq + i, framed(batch.get(i).rec));
            }
            store.commit();
            store.sync();
            next += batch.size();
        }

        @Override
        public Set<Long> readAll() {
            Set<Long> seqs = new HashSet<>();
            for (var e : map.entrySet()) {
                if (intact(e.getValue())) {
                    seqs.add(e.getKey());
                }
            }
            return seqs;
        }

        @Override
        public void close() throws Exception {
            stopWriter();
            store.close();
        }
    }
}
