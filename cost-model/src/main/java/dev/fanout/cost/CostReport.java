package dev.fanout.cost;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Monthly use of every free tier, with the intermediate quantities that explain it.
 *
 * @param inputs  what was modelled
 * @param uses    one entry per free tier, in {@link FreeTier} order
 * @param derived intermediate numbers (requests a day, message size, …) for the printout and docs
 */
public record CostReport(CostInputs inputs, List<Use> uses, Map<String, Double> derived) {

    /** How much of one free tier is used. */
    public record Use(FreeTier tier, double used) {
        public double fraction() {
            return used / tier.limit();
        }

        public boolean fits() {
            return used <= tier.limit();
        }
    }

    public Use use(FreeTier tier) {
        return uses.stream().filter(u -> u.tier() == tier).findFirst().orElseThrow();
    }

    /** Tiers the volume leaves. */
    public List<FreeTier> breaches() {
        return uses.stream().filter(u -> !u.fits()).map(Use::tier).toList();
    }

    public boolean fitsEveryFreeTier() {
        return breaches().isEmpty();
    }

    /**
     * The tier with the highest use relative to its limit among those that grow with the volume:
     * the first to break as traffic grows (e-mail is capped by the alert budget instead).
     */
    public Use breaksFirst() {
        return uses.stream().filter(u -> u.tier().scalesWithVolume())
                .max(Comparator.comparingDouble(Use::fraction)).orElseThrow();
    }

    /** Events per day at which {@link #breaksFirst()} reaches its limit, if use grows with volume. */
    public Optional<Double> headroomEventsPerDay() {
        double f = breaksFirst().fraction();
        return f > 0 ? Optional.of(inputs.eventsPerDay() / f) : Optional.empty();
    }

    /** Human-readable table. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Fanout free-tier use for %,.0f events/day of %,.0f bytes (month = %.2f days)%n%n",
                inputs.eventsPerDay(), inputs.eventBytes(), inputs.daysPerMonth()));
        sb.append(String.format(Locale.ROOT, "%-28s %18s %18s %8s  %s%n", "free tier", "used", "limit", "use", "unit"));
        for (Use u : uses) {
            sb.append(String.format(Locale.ROOT, "%-28s %18s %18s %7.1f%%  %s%s%n", u.tier().label(), number(u.used()),
                    number(u.tier().limit()), 100 * u.fraction(), u.tier().unit(), u.fits() ? (u.tier().scalesWithVolume() ? "" : "   (capped by the alert budget)") : "   <-- LEAVES THE FREE TIER"));
        }
        Use first = breaksFirst();
        sb.append(String.format(Locale.ROOT, "%nBreaks first: %s at %.1f%% of its limit", first.tier().label(), 100 * first.fraction()));
        headroomEventsPerDay().ifPresent(n -> sb.append(String.format(Locale.ROOT, " (limit reached at ~%,.0f events/day)", n)));
        sb.append(System.lineSeparator());
        sb.append(fitsEveryFreeTier() ? "Every free tier holds." : "Leaves: " + breaches()).append(System.lineSeparator());
        sb.append(System.lineSeparator()).append("Derived:").append(System.lineSeparator());
        derived.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %-40s %s%n", k, number(v))));
        return sb.toString();
    }

    private static String number(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%,.3f", v);
    }
}
