package dev.fanout.events.status;

import java.util.Map;
import java.util.Optional;

/**
 * The verdict of the service's health checks (liveness and readiness, the same ones behind
 * {@code /q/health}), as the status document's contributors see it.
 *
 * @param up     every check is UP
 * @param checks by check name (e.g. {@code fanout-sinks}, {@code publisher})
 */
public record Health(boolean up, Map<String, Check> checks) {

    /** One check: its status and its data (strings, numbers, booleans). */
    public record Check(boolean up, Map<String, Object> data) {}

    public Optional<Check> check(String name) {
        return Optional.ofNullable(checks.get(name));
    }
}
