package dev.fanout.alerts.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.alerts.state.Delivery;
import dev.fanout.store.FilesystemObjectStore;
import dev.fanout.store.PutResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Local delivery: every e-mail becomes {@code <outbox>/<idempotency key>.json}, holding
 * {@code idempotency_key} and {@code email} (the exact Resend request body), plus
 * {@code <key>.eml} beside it for a person to open. Files are created only if absent (temp file,
 * fsync, link), so a repeated delivery writes nothing twice.
 */
public final class OutboxChannel implements DeliveryChannel {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FilesystemObjectStore dir;
    private final Clock clock;

    public OutboxChannel(Path dir, Clock clock) {
        this.dir = new FilesystemObjectStore(dir);
        this.clock = clock;
    }

    public Path dir() {
        return dir.root();
    }

    @Override
    public String name() {
        return "outbox";
    }

    @Override
    public String describe() {
        return "outbox " + dir.root();
    }

    @Override
    public DeliveryResult send(Delivery d) {
        List<String> written = new ArrayList<>();
        try {
            for (Delivery.OutgoingEmail e : d.emails) {
                ObjectNode file = JSON.createObjectNode();
                file.put("idempotency_key", e.key);
                file.set("email", e.body);
                PutResult json = dir.putIfAbsent(e.key + ".json",
                        JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(file), Map.of(), "application/json", null);
                dir.putIfAbsent(e.key + ".eml", EmlWriter.write(e.key, e.body, clock.instant()), Map.of(),
                        "message/rfc822", null);
                if (json == PutResult.CREATED) {
                    written.add(e.key);
                }
            }
        } catch (IOException | RuntimeException ex) {
            return new DeliveryResult.Transient("outbox " + dir.root() + ": " + ex);
        }
        return written.isEmpty() ? new DeliveryResult.AlreadySent("already in the outbox") : new DeliveryResult.Sent(written);
    }
}
