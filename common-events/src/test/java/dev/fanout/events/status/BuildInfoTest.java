package dev.fanout.events.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class BuildInfoTest {

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void theShortShaIsTheVersionAndUncommittedChangesSaySo() {
        BuildInfo clean = BuildInfo.from(props("git.commit.id.abbrev", "1a2b3c4", "git.dirty", "false",
                "git.build.time", "2026-12-02T03:41:45Z", "git.commit.time", "2026-12-02T03:28:56Z"));
        assertThat(clean).isEqualTo(new BuildInfo("1a2b3c4", "2026-12-02T03:41:45Z", "2026-12-02T03:28:56Z"));
        assertThat(clean.describe("archive-sink"))
                .isEqualTo("archive-sink version 1a2b3c4 built 2026-12-02T03:41:45Z (commit time 2026-12-02T03:28:56Z)");
        assertThat(BuildInfo.from(props("git.commit.id.abbrev", "1a2b3c4", "git.dirty", "true")).version()).isEqualTo("1a2b3c4-dirty");
    }

    /** A source tarball: the plugin finds no .git and writes only the build time. */
    @Test
    void aBuildOutsideGitIsUnknownNotAFailure() {
        BuildInfo b = BuildInfo.from(props("git.build.time", "2026-12-02T03:41:45Z"));
        assertThat(b.version()).isEqualTo(BuildInfo.UNKNOWN);
        assertThat(b.buildTime()).isEqualTo("2026-12-02T03:41:45Z");
        assertThat(BuildInfo.load(new ClassLoader(null) {}).version()).isEqualTo(BuildInfo.UNKNOWN);
    }
}
