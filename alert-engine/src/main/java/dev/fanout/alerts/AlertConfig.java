package dev.fanout.alerts;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.Secret;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The alert sink ({@code fanout.alerts.*}); docs/alerts.md explains rules, timers and the budget. */
@ConfigMapping(prefix = "fanout.alerts")
public interface AlertConfig {

    /** Whether the app has the alert sink (an {@code EventSink} named {@code alerts}). Default true. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Rules file (YAML, see docs/alerts.md and {@code alert-engine/examples/alert-rules.yaml}).
     * Default none: the built-in rule (severity ≥ error, grouped by host + sourcetype + message template).
     */
    Optional<String> rulesFile();

    /** How long a new group collects events before its first e-mail. Default 30s. */
    @WithDefault("30s")
    Duration groupWait();

    /** After an e-mail, the wait before the next when a new kind of event joined the group. Default 5m. */
    @WithDefault("5m")
    Duration groupInterval();

    /** After an e-mail, the wait before the next when only more of the same arrived. Default 4h. */
    @WithDefault("4h")
    Duration repeatInterval();

    /**
     * Recipients of the digest and of every rule that names none, comma-separated. Each one counts
     * against the budget (Resend counts every To/CC/BCC). No default: required.
     */
    Optional<List<String>> recipients();

    /** Sender, e.g. {@code Fanout alerts <alerts@example.org>} (a domain verified at Resend). No default: required. */
    Optional<String> from();

    /** How e-mail leaves: {@code resend}, {@code smtp} (Quarkus Mailer, {@code quarkus.mailer.*}) or {@code outbox} (files). Default {@code outbox}; the alert-sink service sets {@code resend}. */
    @WithDefault("outbox")
    DeliveryKind delivery();

    /** Subject prefix. Default {@code [fanout]}. */
    @WithDefault("[fanout]")
    String subjectPrefix();

    /** Groups tracked at once; beyond, new groups of a rule are merged into its overflow group. Default 1000. */
    @WithDefault("1000")
    int maxGroups();

    /** Bus messages remembered so that a redelivered one is not counted twice. Default 2000. */
    @WithDefault("2000")
    int dedupeMessages();

    /** Longest sleep of the delivery scheduler between checks (it also wakes on every write). Default 5s. */
    @WithDefault("5s")
    Duration tick();

    Budget budget();

    State state();

    Resend resend();

    Outbox outbox();

    Query query();

    enum DeliveryKind {
        RESEND,
        SMTP,
        OUTBOX
    }

    interface Budget {
        /** E-mail units (recipients) per UTC day; Resend's free tier allows 100. Default 90. */
        @WithDefault("90")
        int daily();

        /** E-mail units per UTC month; Resend's free tier allows 3,000. Default 2900. */
        @WithDefault("2900")
        int monthly();

        /** Units of each cap that only critical rules may spend. Default 10. */
        @WithDefault("10")
        int criticalReserve();

        /** How long after the first held-back group the digest goes out (collecting more meanwhile). Default 5m. */
        @WithDefault("5m")
        Duration digestWait();
    }

    interface State {
        /** {@code object-store} (the archive's store: R2 in the cloud) or {@code file} (a local file). Default {@code file}; the alert-sink service sets {@code object-store}. */
        @WithDefault("file")
        StateBackend backend();

        /** Object key of the state in the object store. Default {@code alerts/state.json.gz}. */
        @WithDefault("alerts/state.json.gz")
        String key();

        /** Directory of the state file ({@code state.json.gz}) with the file backend. Default {@code ${FANOUT_DATA_DIR:./data}/alerts}. */
        @WithDefault("${FANOUT_DATA_DIR:./data}/alerts")
        String dir();

        /** How old the cached state may be when the scheduler plans (other instances may have written). Default 5s. */
        @WithDefault("5s")
        Duration refresh();
    }

    enum StateBackend {
        /** Config value {@code object-store}. */
        OBJECT_STORE,
        FILE
    }

    interface Resend {
        /** API key {@code re_…} (secret: env {@code FANOUT_ALERTS_RESEND_API_KEY}, from Secret Manager). Required with {@code delivery=resend}. */
        Optional<Secret<String>> apiKey();

        /** API base URL. Default {@code https://api.resend.com}. */
        @WithDefault("https://api.resend.com")
        URI baseUrl();

        /** Connect timeout. Default 5s. */
        @WithDefault("5s")
        Duration connectTimeout();

        /** Bound on one request including the answer. Default 15s. */
        @WithDefault("15s")
        Duration timeout();

        /** Request spacing; Resend documents 2 per second per team. Default 2. */
        @WithDefault("2")
        double maxRequestsPerSecond();
    }

    interface Outbox {
        /** Directory of the local outbox ({@code delivery=outbox}). Default {@code ${FANOUT_DATA_DIR:./data}/outbox}. */
        @WithDefault("${FANOUT_DATA_DIR:./data}/outbox")
        String dir();
    }

    interface Query {
        /** Table named in the e-mails' BigQuery query. Default {@code fanout.events}. */
        @WithDefault("fanout.events")
        String bigqueryTable();

        /** Archive location named in the e-mails' DuckDB query. Default {@code ${FANOUT_DATA_DIR:./data}/archive/events}. */
        @WithDefault("${FANOUT_DATA_DIR:./data}/archive/events")
        String archivePath();
    }
}
