package dev.fanout.local;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The local pipeline's own configuration, registered through
 * {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}:
 *
 * <ul>
 *   <li>{@value #RESOURCE} at ordinal {@value #ORDINAL}. Every service module's jar on this
 *       classpath carries an {@code application.properties} (ordinal 250, read in an unspecified
 *       order), so the local wiring only wins reliably from above them; environment variables (300)
 *       and system properties (400) still override it.</li>
 *   <li>{@link GeneratedTokenSource} at ordinal {@value GeneratedTokenSource#ORDINAL}: the ingest
 *       token kept in {@code $FANOUT_DATA_DIR/ingest-token}, used only when nothing else configures
 *       {@code fanout.ingest.tokens}.</li>
 * </ul>
 */
public final class LocalPipelineConfigFactory implements ConfigSourceFactory {

    /** Classpath resource with the local pipeline's settings. */
    public static final String RESOURCE = "local-pipeline.properties";

    /** Above application.properties (250), below environment variables (300). */
    public static final int ORDINAL = 275;

    /** Root of everything the local pipeline keeps on disk when {@code FANOUT_DATA_DIR} is unset. */
    public static final String DEFAULT_DATA_DIR = "./data";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null) {
            cl = LocalPipelineConfigFactory.class.getClassLoader();
        }
        URL url = cl.getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException(RESOURCE + " is missing from the classpath");
        }
        ConfigSource props;
        try {
            props = new PropertiesConfigSource(url, ORDINAL);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url, e);
        }
        return List.of(props, new GeneratedTokenSource(dataDir(context)));
    }

    /** {@code FANOUT_DATA_DIR} as any source below the factories sees it (env, system property, test overrides). */
    static Path dataDir(ConfigSourceContext context) {
        ConfigValue v = context.getValue("FANOUT_DATA_DIR");
        String dir = v == null || v.getValue() == null || v.getValue().isBlank() ? DEFAULT_DATA_DIR : v.getValue().strip();
        return Path.of(dir);
    }
}
