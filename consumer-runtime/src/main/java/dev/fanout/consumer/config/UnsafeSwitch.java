package dev.fanout.consumer.config;

import io.smallrye.config.SmallRyeConfig;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A secure default that an operator turned off. In the prod profile the app refuses to start with it off unless {@code fanout.unsafe.<name>=true} says so explicitly,
 * so a forgotten local setting cannot ship. Read directly (not a config mapping) because other
 * modules keep their own {@code fanout.unsafe.*} switches under the same prefix.
 */
public final class UnsafeSwitch {

    public static final String PREFIX = "fanout.unsafe.";

    /** Push OIDC verification off ({@code fanout.consumer.push.oidc.enabled=false}). */
    public static final String PUSH_OIDC_OFF = "push-oidc-off";

    private UnsafeSwitch() {}

    /**
     * Throws unless the insecure setting is allowed: in dev/test always, in prod only with
     * {@code fanout.unsafe.<name>=true}.
     *
     * @param what the setting, for the message (e.g. {@code fanout.consumer.push.oidc.enabled=false})
     */
    public static void require(String name, String what, boolean prod, Optional<Boolean> switchValue) {
        if (prod && !switchValue.orElse(false)) {
            throw new IllegalStateException(what + " is refused in the prod profile: it is insecure. Set "
                    + PREFIX + name + "=true to run it anyway.");
        }
    }

    /** {@link #require} with the app's profile and configuration. */
    public static void require(String name, String what) {
        require(name, what, prod(), ConfigProvider.getConfig().getOptionalValue(PREFIX + name, Boolean.class));
    }

    /** Whether the prod profile is active (the default of a packaged app). */
    public static boolean prod() {
        return ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getProfiles().contains("prod");
    }
}
