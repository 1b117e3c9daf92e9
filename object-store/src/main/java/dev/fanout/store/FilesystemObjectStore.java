package dev.fanout.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.events.EnvelopeCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.nio.channels.FileLock;
import java.util.stream.Stream;

/**
 * {@link ObjectStore} in a local directory with the same key layout as the bucket, so
 * {@code zcat}, DuckDB and the replay CLI read both alike (local pipeline, tests, offline use).
 *
 * <p>A write is a temp file in the target directory, fsynced, then published under the final name
 * with a hard link (fails atomically if the name exists: a true create-if-absent) or, where links
 * are not supported, an atomic rename after an existence check. Readers never see a partial object.
 * User metadata and content type live in a hidden sidecar {@code .<name>.meta.json}, written before
 * the object, so an object that exists always has its metadata. Names starting with {@code .} are
 * reserved for these files and are never listed.
 */
public final class FilesystemObjectStore implements ObjectStore {

    private static final String META_SUFFIX = ".meta.json";

    /** A JVM holds a file lock once: threads and store instances of one process also queue here. */
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL_LOCKS = new ConcurrentHashMap<>();

    private final Path root;

    public FilesystemObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** The file that holds {@code key}; rejects keys that could escape the root or hit reserved names. */
    public Path pathOf(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("\\")) {
            throw new IllegalArgumentException("invalid object key: " + key);
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.startsWith(".")) {
                throw new IllegalArgumentException("invalid object key segment in: " + key);
            }
        }
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("object key escapes the root: " + key);
        }
        return p;
    }

    @Override
    public PutResult putIfAbsent(
            String key, byte[] body, Map<String, String> userMetadata, String contentType, String contentEncoding)
            throws IOException {
        Path target = pathOf(key);
        if (Files.exists(target)) {
            return PutResult.ALREADY_EXISTS;
        }
        Path dir = Files.createDirectories(target.getParent());
        String name = target.getFileName().toString();

        ObjectNode meta = EnvelopeCodec.mapper().createObjectNode();
        meta.put("content_type", contentType);
        meta.put("content_encoding", contentEncoding);
        ObjectNode user = meta.putObject("user_metadata");
        userMetadata.forEach(user::put);
        Path metaFile = dir.resolve("." + name + META_SUFFIX);
        Path metaTmp = writeTemp(dir, name, EnvelopeCodec.mapper().writeValueAsBytes(meta));
        // Overwriting a sidecar is fine: it is only orphaned if an earlier attempt died before the object.
        Files.move(metaTmp, metaFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        Path tmp = writeTemp(dir, name, body);
        try {
            if (!publish(tmp, target)) {
                return PutResult.ALREADY_EXISTS;
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        fsyncDirectory(dir);
        return PutResult.CREATED;
    }

    /** Returns false when another writer published the same key first. */
    private static boolean publish(Path tmp, Path target) throws IOException {
        try {
            Files.createLink(target, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | IOException linkFailure) {
            if (Files.exists(target)) {
                return false;
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("filesystem supports neither hard links nor atomic rename: " + target, e);
            }
            return true;
        }
    }

    private static Path writeTemp(Path dir, String name, byte[] bytes) throws IOException {
        Path tmp = dir.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            // Data must be on disk before the name points at it, or a crash leaves an empty object.
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }

    /** Makes the new directory entry durable; some platforms cannot open directories, which is harmless. */
    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows and some FUSE filesystems: the rename itself is the best available guarantee.
        }
    }

    @Override
    public void checkReady() throws IOException {
        Files.createDirectories(root);
        if (!Files.isDirectory(root)) {
            throw new IOException("archive root is not a directory: " + root);
        }
        Path probe = writeTemp(root, "readiness-probe", new byte[0]);
        Files.delete(probe);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        // Walk only below the deepest directory the prefix names: the replay CLI lists one hour
        // partition at a time, and walking the whole archive per hour would be quadratic.
        int slash = prefix.lastIndexOf('/');
        Path start = slash <= 0 ? root : root.resolve(prefix.substring(0, slash)).normalize();
        if (!start.startsWith(root) || !Files.isDirectory(start)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(start)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p))
                    .filter(rel -> {
                        for (Path segment : rel) {
                            if (segment.toString().startsWith(".")) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .map(rel -> rel.toString().replace(rel.getFileSystem().getSeparator(), "/"))
                    .filter(k -> k.startsWith(prefix))
                    .sorted()
                    .toList();
        }
    }

    @Override
    public Optional<StoredObject> get(String key) throws IOException {
        Path p = pathOf(key);
        byte[] body;
        try {
            body = Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Map<String, String> user = new HashMap<>();
        String contentType = null;
        String contentEncoding = null;
        Path metaFile = p.resolveSibling("." + p.getFileName() + META_SUFFIX);
        if (Files.exists(metaFile)) {
            JsonNode meta = EnvelopeCodec.mapper().readTree(metaFile.toFile());
            contentType = meta.path("content_type").isTextual() ? meta.get("content_type").asText() : null;
            contentEncoding = meta.path("content_encoding").isTextual() ? meta.get("content_encoding").asText() : null;
            meta.path("user_metadata").fields().forEachRemaining(f -> user.put(f.getKey(), f.getValue().asText()));
        }
        return Optional.of(new StoredObject(key, body, user, contentType, contentEncoding));
    }

    /** The version of a filesystem object is the SHA-256 of its bytes: no sidecar to keep in step. */
    @Override
    public Optional<VersionedObject> getVersioned(String key) throws IOException {
        Path p = pathOf(key);
        try {
            byte[] body = Files.readAllBytes(p);
            return Optional.of(new VersionedObject(key, body, contentVersion(body)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Compare-and-set under an exclusive lock on a hidden {@code .<name>.lock} file (other
     * processes) and an in-process lock (other threads and store instances of this JVM): read the
     * current version, compare, then write a temp file, fsync and rename it over the object.
     */
    @Override
    public Optional<String> putIfVersion(String key, byte[] body, String expectedVersion, String contentType)
            throws IOException {
        Path target = pathOf(key);
        Path dir = Files.createDirectories(target.getParent());
        String name = target.getFileName().toString();
        ReentrantLock local = LOCAL_LOCKS.computeIfAbsent(target, k -> new ReentrantLock());
        local.lock();
        try (FileChannel lockFile = FileChannel.open(dir.resolve("." + name + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = lockFile.lock()) {
            String current;
            try {
                current = contentVersion(Files.readAllBytes(target));
            } catch (NoSuchFileException e) {
                current = null;
            }
            if (!Objects.equals(current, expectedVersion)) {
                return Optional.empty();
            }
            Path tmp = writeTemp(dir, name, body);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            fsyncDirectory(dir);
            return Optional.of(contentVersion(body));
        } finally {
            local.unlock();
        }
    }

    private static String contentVersion(byte[] body) {
        return "\"" + HexFormat.of().formatHex(ArchiveLayout.sha256().digest(body)) + "\"";
    }

    @Override
    public String describe() {
        return root.toString();
    }
}
