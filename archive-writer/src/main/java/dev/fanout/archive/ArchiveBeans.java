package dev.fanout.archive;

import dev.fanout.store.ArchiveCodec;
import dev.fanout.store.ArchiveConfig;
import dev.fanout.store.ArchiveLayout;
import dev.fanout.store.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * CDI wiring of the {@link ArchiveSink} (the application's {@code EventSink}) over the archive's
 * object store. The archive-sink service and local-pipeline use this same bean.
 */
@ApplicationScoped
public class ArchiveBeans {

    @Produces
    @ApplicationScoped
    ArchiveSink archiveSink(ObjectStore store, ArchiveConfig config) {
        return new ArchiveSink(store, new ArchiveLayout(config.prefix()),
                new ArchiveCodec(config.gzipLevel()), config.skipReplays());
    }
}
