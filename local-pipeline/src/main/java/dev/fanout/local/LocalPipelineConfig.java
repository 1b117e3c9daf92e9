package dev.fanout.local;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Settings of the one-process local pipeline itself ({@code fanout.local.*}, local-only). Where
 * data goes is {@code FANOUT_DATA_DIR} (default {@code ./data}): the archive under
 * {@code archive/} (see {@code fanout.archive.fs.dir}) and the generated ingest token in
 * {@code ingest-token}.
 */
@ConfigMapping(prefix = "fanout.local")
public interface LocalPipelineConfig {

    /** Whether to print the startup banner (URL, token, curl example, archive location). Default true. */
    @WithDefault("true")
    boolean banner();

    /**
     * On shutdown, how long to wait for ingest requests already in flight to be answered before the
     * in-process bus is drained (new requests get 503 meanwhile). Default 10s.
     */
    @WithDefault("10s")
    Duration requestDrainTimeout();
}
