package dev.fanout.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CostModelTest {

    private static double use(CostInputs in, FreeTier tier) {
        return CostModel.compute(in).use(tier).used();
    }

    /** Issue 11: CI fails if the default configuration at 1,000,000 events of 500 bytes a day leaves any free tier. */
    @Test
    void theReferenceVolumeStaysInsideEveryFreeTier() {
        CostReport report = CostModel.compute(CostInputs.reference());
        assertThat(report.breaches()).as(report.format()).isEmpty();
        assertThat(report.fitsEveryFreeTier()).as(report.format()).isTrue();
    }

    @Test
    void aTenthOfTheReferenceVolumeFitsEverything() {
        CostReport report = CostModel.compute(CostInputs.defaults(100_000, 500));
        assertThat(report.fitsEveryFreeTier()).as(report.format()).isTrue();
    }

    @Test
    void pubSubCountsThePublishAndEverySubscriptionsDelivery() {
        CostInputs base = CostInputs.reference();
        double none = use(base.with(Map.of("subscriptions", "0")), FreeTier.PUBSUB_THROUGHPUT);
        double three = use(base, FreeTier.PUBSUB_THROUGHPUT);
        assertThat(three).isCloseTo(4 * none, within(none * 0.01));
        CostReport r = CostModel.compute(base);
        double perMessage = r.derived().get("bytes/message");
        assertThat(perMessage).isCloseTo(347.2 * 500 / base.busCompressionRatio() + base.messageAttributeBytes(), within(5.0));
        assertThat(three).isCloseTo(4 * 2880 * perMessage * base.daysPerMonth(), within(three * 0.001));
    }

    @Test
    void everyPubSubRequestIsBilledAtLeastOneKilobyte() {
        // Cribl's default 1 s flush from 8 senders of a trickle: tiny messages, each billed 1 kB.
        CostInputs trickle = CostInputs.defaults(200_000, 100).with(Map.of("criblFlushSeconds", "1", "criblSenders", "8"));
        CostReport r = CostModel.compute(trickle);
        assertThat(r.derived().get("bytes/message")).isLessThan(CostModel.PUBSUB_MIN_BILLED_BYTES);
        double requests = r.derived().get("ingest requests/day");
        double messages = r.derived().get("messages/day");
        assertThat(r.use(FreeTier.PUBSUB_THROUGHPUT).used())
                .isCloseTo((requests + 3 * messages) * 1_000 * trickle.daysPerMonth(), within(1.0));
    }

    @Test
    void criblsDefaultOneSecondFlushBreaksCloudRunFirst() {
        CostReport r = CostModel.compute(CostInputs.reference().with(Map.of("cribl-flush-seconds", "1")));
        assertThat(r.breaksFirst().tier()).isIn(FreeTier.CLOUD_RUN_REQUESTS, FreeTier.CLOUD_RUN_VCPU_SECONDS);
        assertThat(r.breaches()).contains(FreeTier.CLOUD_RUN_REQUESTS, FreeTier.CLOUD_RUN_VCPU_SECONDS);
    }

    @Test
    void holdingPushesForLongBatchesCostsCloudRunTime() {
        // archive-sink's own 30 s batch age, if the deployment did not shorten it.
        CostReport r = CostModel.compute(CostInputs.reference().with(Map.of("sinkBatchMaxAgeSeconds", "30")));
        assertThat(r.use(FreeTier.CLOUD_RUN_VCPU_SECONDS).fraction()).isGreaterThan(5);
        // Fewer, larger archive objects are the only gain.
        assertThat(r.derived().get("archive objects/day"))
                .isLessThan(CostModel.compute(CostInputs.reference()).derived().get("archive objects/day"));
    }

    @Test
    void logicalBigQueryBillingWouldNotFitTheStorageTier() {
        CostReport r = CostModel.compute(CostInputs.reference().with(Map.of("bigQueryPhysicalBilling", "false")));
        assertThat(r.breaches()).contains(FreeTier.BIGQUERY_STORAGE);
        assertThat(CostModel.compute(CostInputs.reference()).use(FreeTier.BIGQUERY_STORAGE).fits()).isTrue();
    }

    @Test
    void useGrowsWithVolumeAndTheHeadroomSaysWhere() {
        CostReport r = CostModel.compute(CostInputs.reference());
        double limitAt = r.headroomEventsPerDay().orElseThrow();
        CostReport atLimit = CostModel.compute(CostInputs.defaults(limitAt, 500));
        assertThat(atLimit.use(r.breaksFirst().tier()).fraction()).isCloseTo(1.0, within(0.02));
        // The archive's 90 days of gzip-6 objects, just ahead of Pub/Sub (docs/cost.md).
        assertThat(r.breaksFirst().tier()).isEqualTo(FreeTier.R2_STORAGE);
    }

    @Test
    void eMailIsCappedByTheBudgetNotByTheVolume() {
        CostReport small = CostModel.compute(CostInputs.defaults(1_000, 500));
        CostReport big = CostModel.compute(CostInputs.defaults(50_000_000, 500));
        assertThat(small.use(FreeTier.RESEND_MONTHLY).used()).isEqualTo(big.use(FreeTier.RESEND_MONTHLY).used());
        assertThat(CostModel.compute(CostInputs.reference().with(Map.of("alertRecipients", "2"))).breaches())
                .contains(FreeTier.RESEND_DAILY, FreeTier.RESEND_MONTHLY);
    }

    @Test
    void unknownOrMalformedInputsAreRejectedByName() {
        assertThatThrownBy(() -> CostInputs.reference().with(Map.of("flushSeconds", "1")))
                .hasMessageContaining("unknown input 'flushSeconds'").hasMessageContaining("criblFlushSeconds");
        assertThatThrownBy(() -> CostInputs.reference().with(Map.of("subscriptions", "three")))
                .hasMessageContaining("needs a int");
        assertThatThrownBy(() -> CostInputs.reference().with(Map.of("bigQueryPhysicalBilling", "yes")))
                .hasMessageContaining("needs a boolean");
    }
}
