package dev.fanout.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Supplies {@code fanout.ingest.tokens} from {@code <data dir>/ingest-token} (created with a fresh
 * random token, mode 0600, on first use) so that a local run is authenticated out of the box and
 * the token survives restarts; {@link #replay} does the same for {@code fanout.ingest.replay-tokens}
 * in {@code <data dir>/replay-token}, so {@code fanout replay --to-url} works against a fresh local
 * pipeline (the CLI reads the same file).
 *
 * <p>Its ordinal is below every properties file, environment variable and system property, and it
 * is lazy: the file is read or created only when the lookup of {@code fanout.ingest.tokens} falls
 * through to it, i.e. when no one configured a token. It lists no property names, so tools that
 * enumerate configuration (the Quarkus build among them) never trigger it.
 */
public final class GeneratedTokenSource implements ConfigSource {

    /** Name of this source as {@code ConfigValue.getSourceName()} reports it. */
    public static final String NAME = "fanout-local-generated-ingest-token";

    /** Below META-INF/microprofile-config.properties (100): anything configured wins. */
    public static final int ORDINAL = 50;

    public static final String KEY = "fanout.ingest.tokens";

    /** File name of the token inside the data directory. */
    public static final String FILE_NAME = "ingest-token";

    /** Name of the replay-token source. */
    public static final String REPLAY_NAME = "fanout-local-generated-replay-token";

    public static final String REPLAY_KEY = "fanout.ingest.replay-tokens";

    /** File name of the replay token inside the data directory. */
    public static final String REPLAY_FILE_NAME = "replay-token";

    /** 32 random bytes: 256 bits, printed as 43 URL-safe base64 characters. */
    static final int TOKEN_BYTES = 32;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final String key;
    private final String name;
    private final String envName;
    private final Path file;
    private volatile String token;
    private volatile boolean generated;

    /** The ingest token's source. */
    public GeneratedTokenSource(Path dataDir) {
        this(dataDir, KEY, FILE_NAME, NAME, "FANOUT_INGEST_TOKENS");
    }

    private GeneratedTokenSource(Path dataDir, String key, String fileName, String name, String envName) {
        this.key = key;
        this.name = name;
        this.envName = envName;
        this.file = dataDir.resolve(fileName).toAbsolutePath().normalize();
    }

    /** The replay token's source ({@code fanout.ingest.replay-tokens}, {@code <data dir>/replay-token}). */
    public static GeneratedTokenSource replay(Path dataDir) {
        return new GeneratedTokenSource(dataDir, REPLAY_KEY, REPLAY_FILE_NAME, REPLAY_NAME, "FANOUT_INGEST_REPLAY_TOKENS");
    }

    /** The property this source supplies. */
    public String key() {
        return key;
    }

    /** Where the token is kept. */
    public Path file() {
        return file;
    }

    /** Whether this run created the file (rather than reading one from an earlier run). */
    public boolean generated() {
        return generated;
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of();
    }

    @Override
    public String getValue(String propertyName) {
        if (!key.equals(propertyName)) {
            return null;
        }
        String t = token;
        if (t == null) {
            synchronized (this) {
                t = token;
                if (t == null) {
                    t = loadOrCreate();
                    token = t;
                }
            }
        }
        return t;
    }

    private String loadOrCreate() {
        try {
            String existing = read();
            if (existing != null) {
                return existing;
            }
            Files.createDirectories(file.getParent());
            String fresh = newToken();
            boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
            FileAttribute<?>[] attrs = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                    : new FileAttribute<?>[0];
            try {
                Files.createFile(file, attrs);
            } catch (FileAlreadyExistsException e) {
                // An empty leftover of an interrupted first run, or a concurrent start.
                existing = read();
                if (existing != null) {
                    return existing;
                }
                if (posix) {
                    Files.setPosixFilePermissions(file, OWNER_ONLY);
                }
            }
            Files.writeString(file, fresh + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
            generated = true;
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the token file " + file
                    + "; set " + envName + ", or FANOUT_DATA_DIR to a writable directory", e);
        }
    }

    private String read() throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        String s = Files.readString(file, StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? null : s;
    }

    static String newToken() {
        byte[] b = new byte[TOKEN_BYTES];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }

    @Override
    public String getName() {
        return name;
    }
}
