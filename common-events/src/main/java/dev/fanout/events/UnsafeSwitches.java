package dev.fanout.events;

import java.util.Optional;
import java.util.function.Function;

/**
 * The one way a Fanout service refuses an unsafe setting in production: in the prod profile (the
 * packaged app) a setting that can lose or expose data starts only when the operator also sets
 * {@code fanout.unsafe.<name>=true}; in dev and test it only warns. Shared so every service spells
 * its switches the same way ({@code fanout.unsafe.blackhole-publisher},
 * {@code fanout.unsafe.ingest-auth-off}, {@code fanout.unsafe.push-oidc-off}, …) and documents
 * them in docs/configuration.md.
 */
public final class UnsafeSwitches {

    /** Prefix of every switch. */
    public static final String PREFIX = "fanout.unsafe.";

    private UnsafeSwitches() {}

    /** The key of switch {@code name}, e.g. {@code fanout.unsafe.blackhole-publisher}. */
    public static String key(String name) {
        if (name == null || !name.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("switch names are kebab-case: " + name);
        }
        return PREFIX + name;
    }

    /**
     * Checks one unsafe setting.
     *
     * @param name    switch name (kebab-case)
     * @param what    what is unsafe, for the messages, e.g. "fanout.ingest.publisher=blackhole drops every event"
     * @param active  whether the unsafe setting is in effect
     * @param prod    whether this is the prod profile
     * @param config  reads a boolean config key ({@code Optional.empty()} when unset)
     * @return a warning to log when the setting is active and allowed (dev/test, or switched on); empty otherwise
     * @throws IllegalStateException in prod when the setting is active and its switch is not {@code true}
     */
    public static Optional<String> check(String name, String what, boolean active, boolean prod,
            Function<String, Optional<Boolean>> config) {
        if (!active) {
            return Optional.empty();
        }
        String key = key(name);
        boolean allowed = config.apply(key).orElse(false);
        if (prod && !allowed) {
            throw new IllegalStateException(what + ": refusing to start in the prod profile; set " + key
                    + "=true (env " + env(key) + ") if this is really wanted");
        }
        return Optional.of(what + (allowed ? " (allowed by " + key + "=true)" : " (allowed outside prod only)"));
    }

    /** The environment variable MicroProfile Config maps to {@code key}. */
    static String env(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
