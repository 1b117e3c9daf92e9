package dev.fanout.alerts.support;

import dev.fanout.alerts.delivery.DeliveryChannel;
import dev.fanout.alerts.delivery.DeliveryResult;
import dev.fanout.alerts.state.Delivery;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A delivery channel that behaves like a provider with idempotency keys: it records every e-mail
 * it accepted, and a key it already accepted is answered "already sent" without a second e-mail.
 */
public final class RecordingChannel implements DeliveryChannel {
    public final List<Delivery.OutgoingEmail> accepted = Collections.synchronizedList(new ArrayList<>());
    public final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> keys = Collections.synchronizedSet(new LinkedHashSet<>());
    public volatile Function<Delivery, DeliveryResult> answer = d -> null;

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public String describe() {
        return "recording";
    }

    @Override
    public DeliveryResult send(Delivery d) {
        requests.add(d.key);
        DeliveryResult scripted = answer.apply(d);
        if (scripted != null) {
            return scripted;
        }
        if (!keys.add(d.key)) {
            return new DeliveryResult.AlreadySent("409 invalid_idempotent_request");
        }
        accepted.addAll(d.emails);
        return new DeliveryResult.Sent(d.emails.stream().map(e -> "id-" + e.key).toList());
    }

    /** Recipients of every accepted e-mail: the units the provider would count. */
    public int unitsAccepted() {
        synchronized (accepted) {
            return accepted.stream().mapToInt(e -> e.recipients).sum();
        }
    }
}
