package dev.fanout.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Benchmark-only switches (local-only). */
@ConfigMapping(prefix = "fanout.bench")
public interface BenchConfig {

    /**
     * Whether {@code POST /bench/discard} (reads and drops the body: the load script's ceiling) is
     * served; otherwise it answers 404. Default false.
     */
    @WithDefault("false")
    boolean discardEndpoint();
}
