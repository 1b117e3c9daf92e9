package dev.fanout.cost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Monthly free-tier use of a Fanout deployment (docs/cost.md derives every formula). Steady
 * traffic is assumed: each Cribl sender flushes every {@code criblFlushSeconds}; every ingest
 * request becomes one or more packed messages; every message is pushed once per subscription.
 */
public final class CostModel {
    private CostModel() {}

    /** Pub/Sub bills every request as at least 1 kB. https://cloud.google.com/pubsub/pricing */
    public static final double PUBSUB_MIN_BILLED_BYTES = 1_000;
    private static final double DAY = 86_400;
    /** A partition-hour boundary splits an archive batch into one more object, once an hour. */
    private static final double HOUR_BOUNDARIES_PER_DAY = 24;

    public static CostReport compute(CostInputs in) {
        Map<String, Double> d = new LinkedHashMap<>();
        double events = in.eventsPerDay();
        double envelope = in.eventBytes() + in.envelopeOverheadBytes();

        // Ingest: a sender flushes each period; a body over Cribl's limit is split.
        double byTime = Math.min(events, in.criblSenders() * DAY / in.criblFlushSeconds());
        double bySize = Math.ceil(events * in.eventBytes() / in.criblMaxBodyBytes());
        double requests = events == 0 ? 0 : Math.max(byTime, bySize);
        double eventsPerRequest = requests == 0 ? 0 : events / requests;
        double messagesPerRequest = requests == 0 ? 0 : Math.max(Math.ceil(eventsPerRequest / in.packedMaxEvents()),
                Math.ceil(eventsPerRequest * envelope / in.packedMaxBytes()));
        double messages = requests * messagesPerRequest;
        double eventsPerMessage = messages == 0 ? 0 : events / messages;
        double messageBytes = eventsPerMessage * in.eventBytes() / in.busCompressionRatio() + in.messageAttributeBytes();
        d.put("ingest requests/day", requests);
        d.put("events/request", eventsPerRequest);
        d.put("messages/day", messages);
        d.put("events/message", eventsPerMessage);
        d.put("bytes/message", messageBytes);

        // Pub/Sub: one publish request per ingest request, one push per message and subscription.
        double publish = requests * Math.max(PUBSUB_MIN_BILLED_BYTES, messagesPerRequest * messageBytes);
        double delivery = messages * in.subscriptions() * Math.max(PUBSUB_MIN_BILLED_BYTES, messageBytes);
        d.put("Pub/Sub publish bytes/day", publish);
        d.put("Pub/Sub delivery bytes/day", delivery);
        double pubsub = (publish + delivery) * in.daysPerMonth();

        // Cloud Run: the alert subscription delivers only messages holding an alerting event.
        double alertShare = 1 - Math.pow(1 - in.alertEventFraction(), eventsPerMessage);
        double sinkSubs = Math.max(0, in.subscriptions() - 1);
        double pushes = messages * (sinkSubs + (in.subscriptions() > 0 ? alertShare : 0));
        d.put("alert messages/day", messages * alertShare);
        double runRequests = (requests + pushes) * in.daysPerMonth();
        // Request-based billing: an instance is billed while it handles at least one request. With
        // Poisson arrivals at rate λ of requests lasting D, that is 1 − e^(−λD) of the day.
        double hold = in.sinkBatchMaxAgeSeconds() + in.sinkWriteSeconds();
        double busy = busySeconds(requests, in.bridgeSecondsPerRequest())
                + sinkSubs * busySeconds(messages, hold)
                + (in.subscriptions() > 0 ? busySeconds(messages * alertShare, hold) : 0);
        d.put("Cloud Run billed instance-seconds/day", busy);
        double vcpu = busy * in.vcpuPerInstance() * in.daysPerMonth();
        double gib = busy * in.memoryGiB() * in.daysPerMonth();

        // BigQuery: both tables get every event; partitions expire; deleted bytes stay for time
        // travel and fail-safe (billed under the physical model).
        double rawRow = envelope + in.bigQueryRawExtraBytes();
        double eventsRow = envelope;
        double logical = events * (rawRow * in.eventsRawExpiryDays() + eventsRow * in.eventsExpiryDays());
        double deletedKept = events * (rawRow + eventsRow) * (in.timeTravelDays() + in.failSafeDays());
        double bqStorage = in.bigQueryPhysicalBilling() ? (logical + deletedKept) / in.bigQueryCompressionRatio() : logical;
        d.put("BigQuery logical bytes (active)", logical);
        double writeApi = events * (rawRow + eventsRow) * in.daysPerMonth();

        // R2: one archive object per batch; a batch closes after max-age, so at most one per
        // message, and more when a batch would exceed its event bound.
        double batchesByAge = hold > 0 ? DAY / hold : messages;
        double objects = messages == 0 ? 0 : Math.max(Math.min(messages, batchesByAge), events / in.archiveMaxEvents())
                + HOUR_BOUNDARIES_PER_DAY;
        d.put("archive objects/day", objects);
        double r2Storage = events * in.eventBytes() / in.archiveCompressionRatio() * in.archiveRetentionDays();
        double alertBatches = Math.min(messages * alertShare, batchesByAge);
        // The alert sink's state object: one conditional GET + PUT per batch it counts.
        double classA = (objects + alertBatches) * in.daysPerMonth();
        double eventsPerObject = objects == 0 ? 1 : Math.max(1, events / objects);
        double classB = alertBatches * in.daysPerMonth() + in.replayEventsPerMonth() / eventsPerObject;

        // Resend: the alert sink's budget is a hard cap; every recipient counts.
        double mailsPerDay = Math.min(in.alertEmailsPerDay(), in.alertEmailsPerMonth() / in.daysPerMonth()) * in.alertRecipients();
        double mailsPerMonth = Math.min(in.alertEmailsPerDay() * in.daysPerMonth(), in.alertEmailsPerMonth()) * in.alertRecipients();

        List<CostReport.Use> uses = new ArrayList<>();
        uses.add(new CostReport.Use(FreeTier.PUBSUB_THROUGHPUT, pubsub));
        uses.add(new CostReport.Use(FreeTier.CLOUD_RUN_REQUESTS, runRequests));
        uses.add(new CostReport.Use(FreeTier.CLOUD_RUN_VCPU_SECONDS, vcpu));
        uses.add(new CostReport.Use(FreeTier.CLOUD_RUN_GIB_SECONDS, gib));
        uses.add(new CostReport.Use(FreeTier.BIGQUERY_STORAGE, bqStorage));
        uses.add(new CostReport.Use(FreeTier.BIGQUERY_WRITE_API, writeApi));
        uses.add(new CostReport.Use(FreeTier.R2_STORAGE, r2Storage));
        uses.add(new CostReport.Use(FreeTier.R2_CLASS_A, classA));
        uses.add(new CostReport.Use(FreeTier.R2_CLASS_B, classB));
        uses.add(new CostReport.Use(FreeTier.RESEND_DAILY, mailsPerDay));
        uses.add(new CostReport.Use(FreeTier.RESEND_MONTHLY, mailsPerMonth));
        return new CostReport(in, List.copyOf(uses), d);
    }

    private static double busySeconds(double requestsPerDay, double secondsEach) {
        return DAY * (1 - Math.exp(-requestsPerDay / DAY * secondsEach));
    }
}
