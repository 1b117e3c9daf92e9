package dev.fanout.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SeverityNormalizerTest {

    static ObjectNode json(String s) {
        try {
            return (ObjectNode) EnvelopeCodec.mapper().readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Severity of(String s) {
        return SeverityNormalizer.normalize(json(s));
    }

    @ParameterizedTest
    @CsvSource({
        "emergency, EMERGENCY", "emerg, EMERGENCY", "panic, EMERGENCY", "alert, ALERT",
        "critical, CRITICAL", "crit, CRITICAL", "fatal, CRITICAL", "error, ERROR", "err, ERROR", "severe, ERROR",
        "warning, WARNING", "warn, WARNING", "notice, NOTICE", "info, INFO", "information, INFO",
        "informational, INFO", "debug, DEBUG", "trace, DEBUG", "verbose, DEBUG", "fine, DEBUG", "finest, DEBUG",
        "'  WARN ', WARNING", "Error, ERROR", "3, ERROR", "0, EMERGENCY", "7, DEBUG"
    })
    void namesAliasesAndNumericStrings(String value, Severity expected) {
        assertThat(of("{\"severity\":\"" + value + "\"}")).isEqualTo(expected);
    }

    @Test
    void numbersZeroToSeven() {
        for (Severity s : Severity.values()) {
            assertThat(of("{\"severity\":" + s.code() + "}")).isEqualTo(s);
            assertThat(of("{\"level\":" + s.code() + "}")).isEqualTo(s);
        }
        assertThat(of("{\"severity\":8}")).isEqualTo(Severity.INFO);
        assertThat(of("{\"severity\":-1}")).isEqualTo(Severity.INFO);
    }

    @ParameterizedTest
    @CsvSource({
        "severity, error, ERROR", "level, error, ERROR", "log.level, error, ERROR", "loglevel, error, ERROR",
        "log_level, error, ERROR", "severity_text, error, ERROR", "severityText, error, ERROR",
        "syslog_severity, error, ERROR", "severityName, error, ERROR", "priority, err, ERROR", "pri, crit, CRITICAL"
    })
    void everyDocumentedField(String field, String value, Severity expected) {
        assertThat(of("{\"" + field + "\":\"" + value + "\"}")).isEqualTo(expected);
        assertThat(SeverityNormalizer.FIELDS).contains(field);
    }

    @Test
    void nestedLogLevel() {
        assertThat(of("{\"log\":{\"level\":\"warn\"}}")).isEqualTo(Severity.WARNING);
        assertThat(of("{\"log\":\"a string\",\"loglevel\":\"debug\"}")).isEqualTo(Severity.DEBUG);
    }

    @Test
    void syslogPriIsFacilityTimesEightPlusSeverity() {
        assertThat(of("{\"pri\":34}")).isEqualTo(Severity.CRITICAL); // auth.crit
        assertThat(of("{\"priority\":\"165\"}")).isEqualTo(Severity.NOTICE); // local4.notice
        assertThat(of("{\"pri\":0}")).isEqualTo(Severity.EMERGENCY);
        assertThat(of("{\"pri\":191}")).isEqualTo(Severity.DEBUG);
        assertThat(of("{\"pri\":192}")).isEqualTo(Severity.INFO);
        assertThat(of("{\"priority\":3}")).isEqualTo(Severity.ERROR); // journald PRIORITY
    }

    @Test
    void pinoLevelsInLevelFields() {
        assertThat(of("{\"level\":10}")).isEqualTo(Severity.DEBUG);
        assertThat(of("{\"level\":20}")).isEqualTo(Severity.DEBUG);
        assertThat(of("{\"level\":30}")).isEqualTo(Severity.INFO);
        assertThat(of("{\"level\":40}")).isEqualTo(Severity.WARNING);
        assertThat(of("{\"level\":50}")).isEqualTo(Severity.ERROR);
        assertThat(of("{\"loglevel\":\"60\"}")).isEqualTo(Severity.CRITICAL);
        assertThat(of("{\"severity\":50}")).isEqualTo(Severity.INFO);
    }

    @Test
    void orderDecidesAndUnusableValuesAreSkipped() {
        assertThat(of("{\"level\":\"debug\",\"severity\":\"alert\"}")).isEqualTo(Severity.ALERT);
        assertThat(of("{\"severity\":\"bogus\",\"level\":\"error\"}")).isEqualTo(Severity.ERROR);
        assertThat(of("{\"severity\":{\"x\":1},\"pri\":11}")).isEqualTo(Severity.ERROR);
        assertThat(of("{\"log.level\":\"notice\",\"log\":{\"level\":\"error\"}}")).isEqualTo(Severity.NOTICE);
    }

    @Test
    void defaultIsInfo() {
        assertThat(of("{}")).isEqualTo(Severity.INFO);
        assertThat(of("{\"message\":\"error happened\"}")).isEqualTo(Severity.INFO);
        assertThat(of("{\"severity\":null,\"level\":true,\"priority\":\"high\"}")).isEqualTo(Severity.INFO);
    }
}
