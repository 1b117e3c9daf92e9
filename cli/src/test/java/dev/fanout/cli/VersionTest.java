package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.events.status.BuildInfo;
import org.junit.jupiter.api.Test;

class VersionTest {

    @Test
    void versionPrintsTheBakedGitShaAndBuildTime() {
        CliRun r = CliRun.run(CliRun.env(), "--version");
        assertThat(r.exit()).isZero();
        BuildInfo build = BuildInfo.current();
        // target/classes/META-INF/fanout/build.properties, written by the git-commit-id plugin at initialize.
        assertThat(build.buildTime()).isNotEqualTo(BuildInfo.UNKNOWN);
        assertThat(r.out()).startsWith("fanout version " + build.version() + " built " + build.buildTime());
    }
}
