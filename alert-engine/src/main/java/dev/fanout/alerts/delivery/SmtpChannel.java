package dev.fanout.alerts.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.alerts.state.Delivery;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.Mailer;
import java.util.ArrayList;
import java.util.List;

/**
 * Optional delivery through an SMTP relay with Quarkus Mailer ({@code quarkus.mailer.*}). SMTP has
 * no idempotency key: a delivery repeated after a lost answer can arrive twice, with the same
 * {@code Message-ID} (derived from the key) so that mail clients can fold the copies.
 */
public final class SmtpChannel implements DeliveryChannel {

    private final Mailer mailer;

    public SmtpChannel(Mailer mailer) {
        this.mailer = mailer;
    }

    @Override
    public String name() {
        return "smtp";
    }

    @Override
    public String describe() {
        return "SMTP (quarkus.mailer.*)";
    }

    @Override
    public DeliveryResult send(Delivery d) {
        List<String> ids = new ArrayList<>();
        try {
            for (Delivery.OutgoingEmail e : d.emails) {
                JsonNode b = e.body;
                List<String> to = new ArrayList<>();
                b.path("to").forEach(n -> to.add(n.asText()));
                Mail m = new Mail().setFrom(b.path("from").asText()).setTo(to).setSubject(b.path("subject").asText())
                        .setText(b.path("text").asText("")).setHtml(b.path("html").asText(null));
                m.addHeader("Message-ID", "<" + e.key + "@fanout.local>");
                m.addHeader("X-Fanout-Idempotency-Key", e.key);
                mailer.send(m);
                ids.add(e.key);
            }
        } catch (RuntimeException ex) {
            return new DeliveryResult.Transient("SMTP: " + ex.getMessage());
        }
        return new DeliveryResult.Sent(ids);
    }
}
