package dev.fanout.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Realistic Cribl Webhook NDJSON bodies: nginx access lines and RFC 3164 syslog lines as
 * {@code _raw}, plus the metadata and a few fields Cribl pipelines typically add (~500 bytes per
 * event). Seeded, so every run measures the same bytes.
 */
public final class CriblBodies {
    private CriblBodies() {}

    private static final String[] PATHS = {"/api/v1/orders", "/api/v1/items/", "/static/js/app.", "/login", "/healthz",
        "/api/v2/search?q=", "/images/product/", "/cart/checkout"};
    private static final String[] AGENTS = {
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
        "curl/8.4.0", "Go-http-client/2.0", "Prometheus/2.48.0"};
    private static final String[] PROGRAMS = {"sshd", "systemd", "kernel", "CRON", "postfix/smtpd", "dockerd"};
    private static final String[] MESSAGES = {
        "Failed password for invalid user admin from 203.0.113.%d port %d ssh2",
        "Started Session %d of user root; unit session-%d.scope finished successfully",
        "TCP: request_sock_TCP: Possible SYN flooding on port %d. Sending cookies, check SNMP counters (%d)",
        "(root) CMD (/usr/local/bin/backup.sh --incremental --target s3://backups/%d/%d)",
        "connect from unknown[198.51.100.%d]: lost connection after AUTH from port %d",
        "level=warning msg=\"health check for container %d timed out after %dms\""};
    private static final String[] LEVELS = {"info", "info", "info", "info", "warn", "error", "debug", "notice"};

    /** An NDJSON body of about {@code targetBytes} bytes. */
    public static byte[] ndjson(int targetBytes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder(targetBytes + 1024);
        double t = 1732371234.0;
        int n = 0;
        while (sb.length() < targetBytes) {
            t += r.nextInt(1, 5000) / 1000.0;
            event(sb, r, n++, t);
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void event(StringBuilder sb, SplittableRandom r, int n, double t) {
        boolean nginx = r.nextInt(10) < 6;
        String host = (nginx ? "web-" : "node-") + String.format(Locale.ROOT, "%02d", r.nextInt(1, 40));
        String raw;
        if (nginx) {
            int status = r.nextInt(100) < 90 ? 200 : r.nextInt(100) < 70 ? 404 : 502;
            raw = String.format(Locale.ROOT,
                    "10.%d.%d.%d - - [23/Nov/2024:14:%02d:%02d +0000] \\\"%s %s%d HTTP/1.1\\\" %d %d \\\"-\\\" \\\"%s\\\" rt=%.3f",
                    r.nextInt(256), r.nextInt(256), r.nextInt(256), r.nextInt(60), r.nextInt(60),
                    r.nextInt(10) < 8 ? "GET" : "POST", PATHS[r.nextInt(PATHS.length)], r.nextInt(100000), status,
                    r.nextInt(200, 90000), AGENTS[r.nextInt(AGENTS.length)], r.nextInt(1, 3000) / 1000.0);
            sb.append("{\"_raw\":\"").append(raw).append("\",\"_time\":").append(String.format(Locale.ROOT, "%.3f", t))
                    .append(",\"host\":\"").append(host).append("\",\"source\":\"/var/log/nginx/access.log\"")
                    .append(",\"sourcetype\":\"nginx:access\",\"index\":\"web\",\"cribl_pipe\":\"nginx_parse\"")
                    .append(",\"cribl_host\":\"cribl-worker-1\",\"status\":").append(status)
                    .append(",\"bytes\":").append(r.nextInt(200, 90000))
                    .append(",\"level\":\"").append(status >= 500 ? "error" : status >= 400 ? "warn" : "info").append('"')
                    .append(",\"upstream\":\"app-").append(r.nextInt(1, 9)).append(":8080\"");
            common(sb, r);
        } else {
            int pri = 8 * r.nextInt(0, 24) + r.nextInt(0, 8);
            String prog = PROGRAMS[r.nextInt(PROGRAMS.length)];
            String msg = String.format(Locale.ROOT, MESSAGES[r.nextInt(MESSAGES.length)], r.nextInt(1, 255), r.nextInt(1024, 65535));
            raw = String.format(Locale.ROOT, "<%d>Nov 23 14:%02d:%02d %s %s[%d]: %s", pri, r.nextInt(60), r.nextInt(60),
                    host, prog, r.nextInt(100, 99999), msg.replace("\"", "\\\""));
            sb.append("{\"_raw\":\"").append(raw).append("\",\"_time\":").append(String.format(Locale.ROOT, "%.3f", t))
                    .append(",\"host\":\"").append(host).append("\",\"source\":\"syslog:udp:514\"")
                    .append(",\"sourcetype\":\"syslog\",\"index\":\"infra\",\"cribl_pipe\":\"syslog_std\"")
                    .append(",\"facility\":").append(pri >> 3).append(",\"pri\":").append(pri)
                    .append(",\"appname\":\"").append(prog).append("\",\"procid\":\"").append(r.nextInt(100, 99999))
                    .append("\",\"severity_text\":\"").append(LEVELS[r.nextInt(LEVELS.length)])
                    .append("\",\"cribl_host\":\"cribl-worker-2\",\"env\":\"prod\",\"region\":\"eu-west-1\"");
            common(sb, r);
        }
    }

    private static void common(StringBuilder sb, SplittableRandom r) {
        sb.append(",\"cribl_input\":\"http:in_http\",\"cribl_output\":\"webhook:fanout\",\"trace_id\":\"")
                .append(Long.toHexString(r.nextLong() | Long.MIN_VALUE)).append(Long.toHexString(r.nextLong() | Long.MIN_VALUE))
                .append("\"}");
    }

    public static void main(String[] args) {
        byte[] b = ndjson(1 << 20, 42);
        String s = new String(b, StandardCharsets.UTF_8);
        long lines = s.lines().count();
        System.out.println(b.length + " bytes, " + lines + " events, " + (b.length / lines) + " bytes/event");
        System.out.println(s.lines().limit(3).reduce((x, y) -> x + "\n" + y).orElse(""));
    }
}
