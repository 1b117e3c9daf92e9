package dev.fanout.alerts.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One provider request planned and paid for: a single e-mail ({@code POST /emails}) or up to 100
 * ({@code POST /emails/batch}), with the Idempotency-Key that makes any repeat of it harmless.
 * The rendered bodies are stored, so every attempt by any instance sends the same bytes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Delivery {

    public String key;
    /** {@code alert} or {@code digest}. */
    public String kind;
    /** {@code normal} or {@code critical}: which part of the budget pays. */
    public String priority;
    public List<OutgoingEmail> emails = new ArrayList<>();
    /** Budget units (recipients) charged. */
    public int units;
    /** UTC day and month the units were charged to; re-charged when sending slips into another. */
    public String chargedDay;
    public String chargedMonth;
    public long createdAt;
    public int attempts;
    public long nextAttemptAt;
    public String lastError;

    /** One e-mail: its own Idempotency-Key and the exact request body. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class OutgoingEmail {
        public String key;
        public String rule;
        /** Fingerprints reported (one for an alert, many for a digest). */
        public List<String> fingerprints = new ArrayList<>();
        public int recipients;
        /** The Resend {@code POST /emails} body. */
        public ObjectNode body;
    }
}
