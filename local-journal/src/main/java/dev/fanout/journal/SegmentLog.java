package dev.fanout.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The append-only segment files of a journal directory: opening (with torn-tail truncation of the
 * last segment), appending runs of records, rolling, forcing, reading records back by position and
 * deleting segments every subscription is done with. Appends, rolls and forces come from the one
 * writer thread; reads and deletes from any thread.
 */
final class SegmentLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SegmentLog.class);

    final Path dir;
    private final long segmentBytes;
    private final Counters counters;
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final AtomicLong diskBytes = new AtomicLong();
    private volatile Segment active;
    /** Seq of the last record whose publish may complete (written, and forced if the policy says so). */
    private volatile long committedSeq;
    private long logicalEnd;

    private SegmentLog(Path dir, long segmentBytes, Counters counters) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.counters = counters;
    }

    /**
     * Opens the segments in {@code dir}; a torn tail of the last one is truncated, counted and logged.
     * With no segment yet, the first one starts at {@code firstSeq}.
     */
    static SegmentLog open(Path dir, long segmentBytes, long firstSeq, Counters counters) throws IOException {
        Files.createDirectories(dir);
        SegmentLog log = new SegmentLog(dir, segmentBytes, counters);
        List<Long> bases = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                String n = p.getFileName().toString();
                if (n.endsWith(".seg") && n.length() == 24 && n.chars().limit(20).allMatch(Character::isDigit)) {
                    bases.add(Long.parseLong(n.substring(0, 20)));
                }
            });
        }
        bases.sort(null);
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            Path p = dir.resolve(Segment.fileName(base));
            boolean last = i == bases.size() - 1;
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long size = ch.size();
            Segment seg;
            if (last) {
                seg = log.recover(base, p, ch);
            } else {
                checkHeader(ch, base, p);
                seg = new Segment(base, p, ch, log.logicalEnd, size, bases.get(i + 1) - 1);
            }
            log.add(seg);
        }
        if (log.segments.isEmpty()) {
            log.create(firstSeq, true);
        }
        log.active = log.segments.lastEntry().getValue();
        log.committedSeq = log.active.lastSeq;
        return log;
    }

    private static void checkHeader(FileChannel ch, long base, Path p) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(Segment.FILE_HEADER);
        ch.read(h, 0);
        h.flip();
        if (h.remaining() < Segment.FILE_HEADER || h.getInt() != Segment.MAGIC || h.getInt() != Segment.VERSION
                || h.getLong() != base) {
            // Sealed segments were forced before the next one was created; a bad header here is damage
            // from outside. Reads of its records will fail their checksums and be counted as corrupt.
            LOG.errorf("journal: segment %s has a damaged header; its records will be reported as corrupt when read", p);
        }
    }

    /** Scans the last segment record by record and cuts it after the last whole one. */
    private Segment recover(long base, Path p, FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer h = ByteBuffer.allocate(Segment.FILE_HEADER);
        ch.read(h, 0);
        h.flip();
        boolean headerOk = h.remaining() == Segment.FILE_HEADER && h.getInt() == Segment.MAGIC
                && h.getInt() == Segment.VERSION && h.getLong() == base;
        long pos = Segment.FILE_HEADER;
        long seq = base;
        if (headerOk) {
            ByteBuffer rh = ByteBuffer.allocate(RecordCodec.HEADER);
            byte[] body = new byte[64 * 1024];
            while (pos + RecordCodec.HEADER <= size) {
                rh.clear();
                ch.read(rh, pos);
                int len = rh.getInt(0);
                int crc = rh.getInt(4);
                if (len < RecordCodec.MIN_BODY || len > RecordCodec.MAX_BODY || pos + RecordCodec.HEADER + len > size) {
                    break;
                }
                if (body.length < len) {
                    body = new byte[Math.max(len, body.length * 2)];
                }
                ByteBuffer bb = ByteBuffer.wrap(body, 0, len);
                while (bb.hasRemaining() && ch.read(bb, pos + RecordCodec.HEADER + bb.position()) >= 0) {
                    // read fully
                }
                if (!RecordCodec.checksumMatches(crc, body, 0, len) || ByteBuffer.wrap(body).getLong() != seq) {
                    break;
                }
                pos += RecordCodec.HEADER + len;
                seq++;
            }
        } else {
            pos = 0;
        }
        if (pos < size) {
            counters.tornTails.incrementAndGet();
            counters.tornBytes.addAndGet(size - pos);
            LOG.warnf("journal: torn tail in %s: %d bytes after the last whole record (seq %d) cut off; "
                    + "they were never acknowledged to a publisher under fsync policy ALWAYS", p, size - pos, seq - 1);
            ch.truncate(pos);
            if (pos == 0) {
                ch.write(Segment.header(base), 0);
                pos = Segment.FILE_HEADER;
            }
            ch.force(true);
        }
        return new Segment(base, p, ch, logicalEnd, pos, seq - 1);
    }

    private void add(Segment seg) {
        segments.put(seg.base, seg);
        logicalEnd = seg.logicalBase + seg.committedSize;
        diskBytes.addAndGet(seg.committedSize);
    }

    private Segment create(long base, boolean durable) throws IOException {
        Path p = dir.resolve(Segment.fileName(base));
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ch.write(Segment.header(base), 0);
        if (durable) {
            ch.force(true);
            forceDirectory(dir);
        }
        Segment seg = new Segment(base, p, ch, logicalEnd, Segment.FILE_HEADER, base - 1);
        add(seg);
        return seg;
    }

    // ---- writer thread --------------------------------------------------------------------------

    Segment active() {
        return active;
    }

    /** Bytes the active segment may still grow by (a record larger than that starts a new segment, unless this one is empty). */
    long room() {
        return segmentBytes - active.committedSize;
    }

    /** Seals the active segment (forced first when {@code durable}) and starts the next at {@code nextSeq}. */
    void roll(long nextSeq, boolean durable) throws IOException {
        Segment old = active;
        if (durable) {
            old.channel.force(false);
            counters.fsyncs.incrementAndGet();
        }
        active = create(nextSeq, durable);
        LOG.debugf("journal: sealed %s (seqs %d..%d), started %s", old, old.base, old.lastSeq, active);
    }

    /**
     * Writes a run of sealed records to the end of the active segment. On failure the segment is cut
     * back to its last committed size and the exception rethrown; if even that fails the journal is
     * unusable ({@link JournalFailedException}).
     */
    void write(ByteBuffer[] records, int from, int count, long bytes, long lastSeq) throws IOException {
        Segment a = active;
        long start = a.committedSize;
        try {
            a.channel.position(start);
            long left = bytes;
            while (left > 0) {
                long n = a.channel.write(records, from, count);
                left -= n;
                while (count > 0 && !records[from].hasRemaining()) {
                    from++;
                    count--;
                }
            }
        } catch (IOException e) {
            try {
                a.channel.truncate(start);
            } catch (IOException | RuntimeException again) {
                e.addSuppressed(again);
                throw new JournalFailedException("journal: a failed write could not be cut back in " + a, e);
            }
            throw e;
        }
        a.committedSize = start + bytes;
        a.lastSeq = lastSeq;
        logicalEnd = a.logicalBase + a.committedSize;
        diskBytes.addAndGet(bytes);
        counters.writes.incrementAndGet();
        counters.bytesAppended.addAndGet(bytes);
    }

    /** fdatasync of the active segment. */
    void force() throws IOException {
        active.channel.force(false);
        counters.fsyncs.incrementAndGet();
    }

    /** Makes records up to {@code seq} visible to readers. */
    void commit(long seq) {
        committedSeq = seq;
    }

    // ---- any thread -----------------------------------------------------------------------------

    long committedSeq() {
        return committedSeq;
    }

    long oldestSeq() {
        return segments.firstKey();
    }

    long diskBytes() {
        return diskBytes.get();
    }

    int segmentCount() {
        return segments.size();
    }

    /** End of committed data in the logical byte stream. */
    long logicalCommittedEnd() {
        Segment a = active;
        return a.logicalBase + a.committedSize;
    }

    Segment segmentFor(long seq) {
        Map.Entry<Long, Segment> e = segments.floorEntry(seq);
        return e == null ? null : e.getValue();
    }

    Segment after(Segment s) {
        Map.Entry<Long, Segment> e = segments.higherEntry(s.base);
        return e == null ? null : e.getValue();
    }

    /** Body length of the record at {@code off}, or -1 if no plausible committed record starts there. */
    int recordLength(Segment s, long off) throws IOException {
        if (off + RecordCodec.HEADER > s.committedSize) {
            return -1;
        }
        ByteBuffer h = ByteBuffer.allocate(4);
        if (s.readFully(h, off) < 4) {
            return -1;
        }
        int len = h.getInt(0);
        if (len < RecordCodec.MIN_BODY || off + RecordCodec.HEADER + len > s.committedSize) {
            return -1;
        }
        return len;
    }

    /** Publish time (micros) of the record at {@code off}, or -1 if unreadable. */
    long publishMicros(Segment s, long off) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        if (off + RecordCodec.HEADER + 16 > s.committedSize || s.readFully(b, off + RecordCodec.HEADER + 8) < 8) {
            return -1;
        }
        return b.getLong(0);
    }

    /** Offset of record {@code seq} in {@code s}, walking the record headers; -1 if the framing is broken. */
    long locate(Segment s, long seq) throws IOException {
        long off = Segment.FILE_HEADER;
        for (long q = s.base; q < seq; q++) {
            int len = recordLength(s, off);
            if (len < 0) {
                return -1;
            }
            off += RecordCodec.HEADER + len;
        }
        return off;
    }

    /**
     * Largest record read through a thread's reused buffer. Each subscription reads every record,
     * and a fresh buffer per read was the largest allocation site of the local pipeline (13% of its
     * bytes with three sinks); the decoded record copies its data out, so the buffer can be reused.
     */
    static final int MAX_REUSED_READ_BYTES = 8 * 1024 * 1024;

    private static final ThreadLocal<ByteBuffer> READ_BUFFER = new ThreadLocal<>();

    private static ByteBuffer readBuffer(int size) {
        if (size > MAX_REUSED_READ_BYTES) {
            return ByteBuffer.allocate(size);
        }
        ByteBuffer b = READ_BUFFER.get();
        if (b == null || b.capacity() < size) {
            b = ByteBuffer.allocate(Math.min(MAX_REUSED_READ_BYTES, Math.max(size, 64 * 1024)));
            READ_BUFFER.set(b);
        }
        return b.clear().limit(size);
    }

    /**
     * Reads and checks the record at {@code off}; null (counted) if it is corrupt. A record whose
     * attributes {@code wanted} refuses comes back checked but {@link RecordCodec.Decoded#unwanted()
     * without its payload}.
     */
    RecordCodec.Decoded read(Segment s, long off, int len, long expectedSeq,
                             java.util.function.Predicate<Map<String, String>> wanted) throws IOException {
        ByteBuffer b = readBuffer(RecordCodec.HEADER + len);
        if (s.readFully(b, off) < RecordCodec.HEADER + len) {
            return corrupt(s, off, expectedSeq, "short read");
        }
        byte[] all = b.array();
        if (!RecordCodec.checksumMatches(b.getInt(4), all, RecordCodec.HEADER, len)) {
            return corrupt(s, off, expectedSeq, "checksum mismatch");
        }
        RecordCodec.Decoded d;
        try {
            d = RecordCodec.decode(all, RecordCodec.HEADER, len, wanted);
        } catch (IllegalArgumentException e) {
            return corrupt(s, off, expectedSeq, e.getMessage());
        }
        if (d.seq() != expectedSeq) {
            return corrupt(s, off, expectedSeq, "found seq " + d.seq());
        }
        return d;
    }

    private RecordCodec.Decoded corrupt(Segment s, long off, long seq, String why) {
        counters.corruptRecords.incrementAndGet();
        LOG.errorf("journal: record %d at offset %d of %s is corrupt (%s); it cannot be delivered", seq, off, s, why);
        return null;
    }

    /**
     * Deletes sealed segments whose every record is below {@code lowWaterMark} (acked by every
     * subscription, durably). Returns the bytes freed.
     */
    synchronized long deleteBelow(long lowWaterMark) {
        long freed = 0;
        for (Segment s : segments.values()) {
            Segment next = after(s);
            if (next == null || next.base > lowWaterMark || s == active) {
                break;
            }
            if (segments.remove(s.base) == null) {
                continue;
            }
            try {
                s.channel.close();
                Files.deleteIfExists(s.path);
            } catch (IOException e) {
                LOG.warnf(e, "journal: could not delete %s (every subscription acked it); it is retried at the next start", s);
            }
            diskBytes.addAndGet(-s.committedSize);
            freed += s.committedSize;
            counters.segmentsDeleted.incrementAndGet();
        }
        return freed;
    }

    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    @Override
    public void close() {
        for (Segment s : segments.values()) {
            try {
                s.channel.close();
            } catch (IOException e) {
                LOG.debugf(e, "journal: closing %s", s);
            }
        }
    }
}
