package dev.fanout.consumer.push;

import dev.fanout.consumer.config.ConsumerConfig;
import dev.fanout.events.UnsafeSwitches;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/** Holds the push OIDC verifier built from {@code fanout.consumer.push.oidc.*}; refuses to start misconfigured. */
@ApplicationScoped
public class PushAuthenticator {

    private static final Logger LOG = Logger.getLogger(PushAuthenticator.class);

    @Inject
    ConsumerConfig config;

    private volatile PushTokenVerifier verifier;

    void onStart(@Observes StartupEvent ev) {
        if (config.mode() != ConsumerConfig.Mode.PUSH) {
            return;
        }
        if (!config.push().oidc().enabled()) {
            boolean prod = LaunchMode.current() == LaunchMode.NORMAL && ConfigUtils.getProfiles().contains("prod");
            checkOidcOff(prod, key -> ConfigProvider.getConfig().getOptionalValue(key, Boolean.class)).ifPresent(LOG::warn);
            return;
        }
        verifier(); // fail fast on missing settings
    }

    /** Switch that lets the prod profile run push without OIDC: {@code fanout.unsafe.push-oidc-off}. */
    public static final String OIDC_OFF_SWITCH = "push-oidc-off";

    /**
     * Push OIDC off: refused in the prod profile unless {@code fanout.unsafe.push-oidc-off=true};
     * returns the warning to log otherwise.
     */
    static Optional<String> checkOidcOff(boolean prod, Function<String, Optional<Boolean>> config) {
        return UnsafeSwitches.check(OIDC_OFF_SWITCH, "push OIDC verification is DISABLED (fanout.consumer.push.oidc.enabled=false): "
                + "anyone who can reach /v1/push can inject messages", true, prod, config);
    }

    /** Whether push requests must carry a valid token. */
    public boolean enabled() {
        return config.push().oidc().enabled();
    }

    /** The verifier; throws if OIDC is enabled without an audience or a service account. */
    public PushTokenVerifier verifier() {
        PushTokenVerifier v = verifier;
        if (v == null) {
            synchronized (this) {
                if (verifier == null) {
                    ConsumerConfig.Oidc o = config.push().oidc();
                    String audience = o.audience().filter(s -> !s.isBlank()).orElseThrow(() ->
                            new IllegalStateException("fanout.consumer.push.oidc.enabled=true needs "
                                    + "fanout.consumer.push.oidc.audience (the audience set on the push subscription)"));
                    String email = o.serviceAccountEmail().filter(s -> !s.isBlank()).orElseThrow(() ->
                            new IllegalStateException("fanout.consumer.push.oidc.enabled=true needs "
                                    + "fanout.consumer.push.oidc.service-account-email (the push subscription's service account)"));
                    verifier = new PushTokenVerifier(new PushTokenVerifier.Options(
                            audience, email, o.jwksUrl(),
                            new LinkedHashSet<>(o.issuers()), o.jwksMinRefresh()));
                    LOG.infof("push OIDC: accepting tokens of %s, audience %s", email, audience);
                }
                v = verifier;
            }
        }
        return v;
    }
}
