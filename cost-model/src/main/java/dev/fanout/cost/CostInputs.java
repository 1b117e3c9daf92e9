package dev.fanout.cost;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the model needs, with the deployed defaults (deploy/terraform and the services'
 * configuration) and the measured ratios of docs/benchmarks.md. Names are the CLI's
 * {@code --name=value} overrides (camelCase or kebab-case). docs/cost.md explains every one.
 *
 * @param eventsPerDay               Cribl events a day
 * @param eventBytes                 average Cribl NDJSON bytes per event
 * @param criblFlushSeconds          Cribl Webhook flush period (recommended 60 s; Cribl's default is 1 s)
 * @param criblSenders               Cribl worker processes sending to the bridge (each batches on its own)
 * @param criblMaxBodyBytes          Cribl Webhook body limit (4096 KB default)
 * @param packedMaxEvents            fanout.ingest.packing.max-events
 * @param packedMaxBytes             fanout.ingest.packing.max-uncompressed-bytes
 * @param envelopeOverheadBytes      envelope bytes added per event (id, times, severity): 585 B envelopes of ~500 B events
 * @param busCompressionRatio        Cribl bytes / packed message data bytes: 6.82 at gzip 6 (the deployed level) with
 *                                   derivable ids left out, measured by MeasuredCompressionTest at the model's message size
 * @param messageAttributeBytes      attribute keys + values per message (measured: 199 B with traceparent and id_digest)
 * @param subscriptions              push subscriptions on the topic (archive, analytics, alerts)
 * @param alertEventFraction         share of events at or above the alert subscription's severity
 * @param bridgeSecondsPerRequest    billed seconds of one ingest request (decode, publish, Pub/Sub ack)
 * @param sinkBatchMaxAgeSeconds     how long a push waits for its batch (the deployed fanout.consumer batch max-age)
 * @param sinkWriteSeconds           one sink write (R2 PUT, Write API append, state update)
 * @param memoryGiB                  memory per instance
 * @param vcpuPerInstance            vCPUs per instance
 * @param archiveCompressionRatio    Cribl bytes / archive object bytes: 5.28, gzip 6 of about one message's envelopes,
 *                                   ids included (measured by MeasuredCompressionTest)
 * @param archiveRetentionDays       R2 lifecycle of events/
 * @param archiveMaxEvents           events per archive object at most
 * @param eventsExpiryDays           BigQuery events partition expiry
 * @param eventsRawExpiryDays        BigQuery events_raw partition expiry
 * @param bigQueryRawExtraBytes      events_raw columns beside the envelope (ids, times, attributes JSON)
 * @param bigQueryCompressionRatio   logical / physical bytes (proxy: the bus's gzip-2 ratio, not measured on BigQuery)
 * @param bigQueryPhysicalBilling    the dataset bills physical bytes (deploy/terraform: storage_billing_model = PHYSICAL)
 * @param timeTravelDays             dataset time travel window (48 h, the minimum)
 * @param failSafeDays               BigQuery fail-safe after time travel (7 days, fixed)
 * @param alertEmailsPerDay          alert budget per day (the alert sink never sends more)
 * @param alertEmailsPerMonth        alert budget per month
 * @param alertRecipients            recipients per e-mail (each one counts)
 * @param replayEventsPerMonth       events read back from the archive by replays
 * @param daysPerMonth               365.25 / 12
 */
public record CostInputs(
        double eventsPerDay,
        double eventBytes,
        double criblFlushSeconds,
        int criblSenders,
        double criblMaxBodyBytes,
        int packedMaxEvents,
        double packedMaxBytes,
        double envelopeOverheadBytes,
        double busCompressionRatio,
        double messageAttributeBytes,
        int subscriptions,
        double alertEventFraction,
        double bridgeSecondsPerRequest,
        double sinkBatchMaxAgeSeconds,
        double sinkWriteSeconds,
        double memoryGiB,
        double vcpuPerInstance,
        double archiveCompressionRatio,
        double archiveRetentionDays,
        int archiveMaxEvents,
        double eventsExpiryDays,
        double eventsRawExpiryDays,
        double bigQueryRawExtraBytes,
        double bigQueryCompressionRatio,
        boolean bigQueryPhysicalBilling,
        double timeTravelDays,
        double failSafeDays,
        double alertEmailsPerDay,
        double alertEmailsPerMonth,
        int alertRecipients,
        double replayEventsPerMonth,
        double daysPerMonth) {

    /** The reference volume of issue 11: 1,000,000 events of 500 bytes a day. */
    public static CostInputs reference() {
        return defaults(1_000_000, 500);
    }

    /** The deployed defaults at a volume. */
    public static CostInputs defaults(double eventsPerDay, double eventBytes) {
        return new CostInputs(eventsPerDay, eventBytes,
                60, 2, 4_096 * 1024,
                5_000, 4_194_304, 85, 6.82, 199,
                3, 0.01,
                0.1, 0.2, 0.3, 0.5, 1,
                5.28, 90, 50_000,
                30, 7, 185, 4.54, true, 2, 7,
                100, 3_000, 1,
                0,
                365.25 / 12);
    }

    /** A copy with some inputs replaced, by component name (camelCase or kebab-case). */
    public CostInputs with(Map<String, String> overrides) {
        RecordComponent[] components = CostInputs.class.getRecordComponents();
        Map<String, Object> values = new LinkedHashMap<>();
        try {
            for (RecordComponent c : components) {
                values.put(c.getName(), c.getAccessor().invoke(this));
            }
            for (Map.Entry<String, String> e : overrides.entrySet()) {
                String name = camel(e.getKey());
                RecordComponent c = Arrays.stream(components).filter(x -> x.getName().equals(name)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("unknown input '" + e.getKey() + "'; known: "
                                + String.join(", ", values.keySet())));
                values.put(name, parse(c.getType(), e.getKey(), e.getValue()));
            }
            Constructor<CostInputs> ctor = CostInputs.class.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            return ctor.newInstance(values.values().toArray());
        } catch (ReflectiveOperationException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Input names with their values, in declaration order. */
    public Map<String, Object> asMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            for (RecordComponent c : CostInputs.class.getRecordComponents()) {
                out.put(c.getName(), c.getAccessor().invoke(this));
            }
        } catch (ReflectiveOperationException ex) {
            throw new IllegalStateException(ex);
        }
        return out;
    }

    public CostInputs {
        if (eventsPerDay < 0 || eventBytes <= 0 || criblFlushSeconds <= 0 || criblSenders < 1 || packedMaxEvents < 1
                || busCompressionRatio <= 0 || archiveCompressionRatio <= 0 || bigQueryCompressionRatio <= 0
                || subscriptions < 0 || alertEventFraction < 0 || alertEventFraction > 1 || daysPerMonth <= 0) {
            throw new IllegalArgumentException("inputs out of range: " + this);
        }
    }

    private static String camel(String key) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char ch : key.toCharArray()) {
            if (ch == '-' || ch == '_') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return sb.toString();
    }

    private static Object parse(Class<?> type, String key, String value) {
        try {
            if (type == int.class) {
                return Integer.parseInt(value.replace("_", ""));
            }
            if (type == boolean.class) {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new NumberFormatException(value);
                }
                return Boolean.parseBoolean(value);
            }
            return Double.parseDouble(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("input '" + key + "' needs a " + type.getSimpleName() + ", got '" + value + "'");
        }
    }
}
