package dev.fanout.local;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Registers {@link GeneratedTokenSource} (through
 * {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}): the ingest token kept in
 * {@code $FANOUT_DATA_DIR/ingest-token} (and the replay token in {@code replay-token}), at ordinal {@value GeneratedTokenSource#ORDINAL}, used only
 * when nothing else configures {@code fanout.ingest.tokens}. A factory, because the token file's
 * location depends on {@code FANOUT_DATA_DIR} as the other sources see it.
 */
public final class LocalPipelineConfigFactory implements ConfigSourceFactory {

    /** Root of everything the local pipeline keeps on disk when {@code FANOUT_DATA_DIR} is unset. */
    public static final String DEFAULT_DATA_DIR = "./data";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Path dir = dataDir(context);
        return List.of(new GeneratedTokenSource(dir), GeneratedTokenSource.replay(dir));
    }

    /** {@code FANOUT_DATA_DIR} as any source below the factories sees it (env, system property, test overrides). */
    static Path dataDir(ConfigSourceContext context) {
        ConfigValue v = context.getValue("FANOUT_DATA_DIR");
        String dir = v == null || v.getValue() == null || v.getValue().isBlank() ? DEFAULT_DATA_DIR : v.getValue().strip();
        return Path.of(dir);
    }
}
