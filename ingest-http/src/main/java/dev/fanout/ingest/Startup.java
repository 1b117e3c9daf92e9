package dev.fanout.ingest;

import dev.fanout.events.UnsafeSwitches;
import dev.fanout.events.port.EventPublisher;
import dev.fanout.ingest.config.IngestConfig;
import dev.fanout.ingest.publish.BlackholeEventPublisher;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Fails startup on unsafe configuration and creates the publisher before the first request. In the
 * prod profile (the packaged app) the blackhole publisher and ingest auth off need their
 * {@link UnsafeSwitches} ({@code fanout.unsafe.blackhole-publisher}, {@code fanout.unsafe.ingest-auth-off});
 * auth on without a token always refuses.
 */
@jakarta.inject.Singleton
public class Startup {

    private static final Logger LOG = Logger.getLogger(Startup.class);

    /** Switch that lets prod run with {@code fanout.ingest.publisher=blackhole}. */
    static final String BLACKHOLE_SWITCH = "blackhole-publisher";
    /** Switch that lets prod run with {@code fanout.ingest.auth.enabled=false}. */
    static final String AUTH_OFF_SWITCH = "ingest-auth-off";

    /** Refuses to run prod (the packaged app) with auth on and no token; dev and test only warn. */
    static void checkAuth(boolean authMisconfigured, LaunchMode mode) {
        if (!authMisconfigured) {
            return;
        }
        String msg = "fanout.ingest.auth.enabled=true but no token is configured: set fanout.ingest.tokens "
                + "(env FANOUT_INGEST_TOKENS, comma-separated) or explicitly set fanout.ingest.auth.enabled=false";
        if (mode == LaunchMode.NORMAL) {
            throw new IllegalStateException(msg);
        }
        LOG.warn(msg + " (every request will get 401)");
    }

    /** The prod refusals of issue 6 §5; returns the warnings to log. */
    static java.util.List<String> checkUnsafe(boolean authOff, boolean blackhole, boolean prod,
            Function<String, Optional<Boolean>> config) {
        java.util.List<String> warnings = new java.util.ArrayList<>();
        UnsafeSwitches.check(AUTH_OFF_SWITCH, "fanout.ingest.auth.enabled=false: anyone who can reach /v1/events can ingest",
                authOff, prod, config).ifPresent(warnings::add);
        UnsafeSwitches.check(BLACKHOLE_SWITCH, "fanout.ingest.publisher=blackhole: events are acknowledged and DROPPED "
                + "(benchmarks only)", blackhole, prod, config).ifPresent(warnings::add);
        return warnings;
    }

    void onStart(@Observes StartupEvent event, IngestService service, IngestConfig config, EventPublisher publisher) {
        checkAuth(service.authMisconfigured(), LaunchMode.current());
        var mp = ConfigProvider.getConfig();
        // The prod profile proper: the cloud services' default. The local pipeline runs its own
        // "local" profile, where these are a user's informed choice and only warn.
        boolean prod = LaunchMode.current() == LaunchMode.NORMAL && ConfigUtils.getProfiles().contains("prod");
        checkUnsafe(!config.auth().enabled(), publisher instanceof BlackholeEventPublisher, prod,
                key -> mp.getOptionalValue(key, Boolean.class)).forEach(LOG::warn);
        // Touching the bean builds the long-lived publisher now rather than on the first request.
        LOG.debugf("event publisher %s ready: %s", publisher.getClass().getSimpleName(), publisher.healthy());
    }
}
