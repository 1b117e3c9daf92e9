package dev.fanout.events.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What a deployable knows about its own build: the git commit (short sha, {@code -dirty} when built
 * from uncommitted changes) and when it was built. Baked at build time into
 * {@value #RESOURCE} by the git-commit-id plugin of each service's and the CLI's pom (libraries do
 * not generate it, so an app's classpath holds exactly one). A build outside a git checkout (a
 * source tarball) has no commit: its version reads {@value #UNKNOWN}.
 */
public record BuildInfo(String version, String buildTime, String commitTime) {

    public static final String RESOURCE = "META-INF/fanout/build.properties";
    public static final String UNKNOWN = "unknown";

    private static volatile BuildInfo current;

    /** This process' build, read once from the classpath. */
    public static BuildInfo current() {
        BuildInfo b = current;
        if (b == null) {
            b = load(BuildInfo.class.getClassLoader());
            current = b;
        }
        return b;
    }

    static BuildInfo load(ClassLoader loader) {
        Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return from(p);
    }

    /** From the plugin's properties; missing keys read {@value #UNKNOWN}. */
    public static BuildInfo from(Properties p) {
        String sha = blankToNull(p.getProperty("git.commit.id.abbrev"));
        String version = sha == null ? UNKNOWN : sha + ("true".equals(p.getProperty("git.dirty")) ? "-dirty" : "");
        return new BuildInfo(version, orUnknown(p.getProperty("git.build.time")), orUnknown(p.getProperty("git.commit.time")));
    }

    /** The one start line: {@code <service> version <sha> built <time>}. */
    public String describe(String service) {
        return service + " version " + version + " built " + buildTime + " (commit time " + commitTime + ")";
    }

    private static String orUnknown(String s) {
        String v = blankToNull(s);
        return v == null ? UNKNOWN : v;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
