package dev.fanout.reliability.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The conservation check of one fault: every sequence number answered 200 must be in each sink's
 * store or its dead letters; duplicates are counted, missing ones fail the suite.
 */
final class Conservation {

    /** One sink's view of a phase. */
    record SinkCount(int found, int deadLettered, int duplicates, int missing, Map<String, Integer> reasons) {

        static SinkCount of(Set<Long> accepted, SeqIndex store, SeqIndex deadLetters) {
            int found = 0;
            int dl = 0;
            int dup = 0;
            int missing = 0;
            Map<String, Integer> reasons = new TreeMap<>();
            for (long s : accepted) {
                int c = store.count(s);
                if (c > 0) {
                    found++;
                    dup += c - 1;
                } else if (deadLetters != null && deadLetters.reason(s) != null) {
                    dl++;
                    reasons.merge(deadLetters.reason(s), 1, Integer::sum);
                } else {
                    missing++;
                }
            }
            return new SinkCount(found, dl, dup, missing, reasons);
        }
    }

    /** One row of the table. */
    record Row(String fault, String system, int answered200, int requestsRefused, int requestsFailed,
            SinkCount archive, SinkCount raw, int emailsSent, int emailBudget, double recoverSeconds, boolean converged,
            String hits) {

        int missing() {
            return archive.missing() + (raw == null ? 0 : raw.missing());
        }
    }

    private final List<Row> rows = new ArrayList<>();

    synchronized void add(Row r) {
        rows.add(r);
        System.out.println("[faults] " + render(List.of(r), false));
    }

    synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    synchronized String table() {
        return render(rows, true);
    }

    private static String render(List<Row> rows, boolean header) {
        StringBuilder b = new StringBuilder();
        if (header) {
            b.append("| fault | system | fault hits | answered 200 | requests 503 / failed | in archive | in `events_raw` | dead-lettered (reason) "
                    + "| duplicates archive / raw | missing archive / raw | e-mails sent / budget | time to recover |\n");
            b.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        }
        for (Row r : rows) {
            Map<String, Integer> why = new TreeMap<>(r.archive.reasons());
            if (r.raw != null) {
                r.raw.reasons().forEach((k, v) -> why.merge(k, v, Integer::sum));
            }
            int dl = r.archive.deadLettered() + (r.raw == null ? 0 : r.raw.deadLettered());
            b.append("| ").append(r.fault).append(" | ").append(r.system).append(" | ").append(r.hits)
                    .append(" | ").append(r.answered200)
                    .append(" | ").append(r.requestsRefused < 0 ? "—" : r.requestsRefused + " / " + r.requestsFailed)
                    .append(" | ").append(r.archive.found())
                    .append(" | ").append(r.raw == null ? "—" : Integer.toString(r.raw.found()))
                    .append(" | ").append(dl).append(dl == 0 ? "" : " " + why.toString().replace('|', '/'))
                    .append(" | ").append(r.archive.duplicates()).append(" / ").append(r.raw == null ? "—" : r.raw.duplicates())
                    .append(" | ").append(r.archive.missing()).append(" / ").append(r.raw == null ? "—" : r.raw.missing())
                    .append(" | ").append(r.emailBudget < 0 ? "—" : r.emailsSent + " / " + r.emailBudget)
                    .append(" | ").append(!r.converged ? "NOT RECOVERED" : r.recoverSeconds < 0 ? "—" : String.format("%.1f s", r.recoverSeconds))
                    .append(" |\n");
        }
        return b.toString();
    }

    void write(Path file, String title) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, title + "\n\n" + table());
    }
}
