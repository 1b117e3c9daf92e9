package dev.fanout.alerts.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.fanout.alerts.engine.AlertEngine;
import dev.fanout.alerts.state.AlertState;
import dev.fanout.alerts.support.Events;
import dev.fanout.alerts.support.Harness;
import dev.fanout.alerts.support.InMemoryStateStore;
import dev.fanout.alerts.support.MutableClock;
import dev.fanout.events.Severity;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WireMock as Resend, with the real client through the real engine and scheduler: every answer
 * the provider can give, and what the sink does with it (the e-mail stays planned, is retried at
 * the right time, is dead-lettered, or counts as sent), on a hand-moved clock.
 */
class ResendClientTests {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "re_test_0123456789";
    private static WireMockServer resend;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private Harness h;

    @BeforeAll
    static void startResend() {
        resend = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        resend.start();
    }

    @AfterAll
    static void stopResend() {
        resend.stop();
    }

    @BeforeEach
    void setUp() {
        resend.resetAll();
        h = harness(Duration.ofSeconds(5));
    }

    private Harness harness(Duration timeout) {
        ResendClient client = new ResendClient(new ResendClient.Settings(URI.create(resend.baseUrl()), KEY,
                Duration.ofSeconds(2), timeout, 1000));
        return new Harness(Harness.settings(Harness.defaultRules()), new InMemoryStateStore(), client, clock);
    }

    /** One group, due now; returns after the scheduler's first attempt. */
    private void alertAndAttempt(String raw) throws Exception {
        h.sink.write(Events.batch(List.of(Events.event("web-1", "app", Severity.ERROR, raw, clock.instant()))));
        clock.advance(Duration.ofSeconds(30));
        h.scheduler.runOnce();
    }

    private AlertState state() throws Exception {
        return h.state.read(s -> s, Long.MAX_VALUE);
    }

    private static void answer(int status, String body, String... headers) {
        var r = aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
        for (int i = 0; i < headers.length; i += 2) {
            r = r.withHeader(headers[i], headers[i + 1]);
        }
        resend.stubFor(post(urlPathEqualTo("/emails")).willReturn(r));
    }

    private static String error(int status, String name, String message) {
        return "{\"statusCode\":" + status + ",\"name\":\"" + name + "\",\"message\":\"" + message + "\"}";
    }

    @Test
    void successCarriesTheKeyTheTokenAndTheBodyTheDocsShow() throws Exception {
        answer(200, "{\"id\":\"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794\"}");
        alertAndAttempt("payment service unreachable after 3 retries");

        List<LoggedRequest> reqs = resend.findAll(postRequestedFor(urlPathEqualTo("/emails")));
        assertThat(reqs).hasSize(1);
        LoggedRequest r = reqs.get(0);
        assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
        String key = r.getHeader("Idempotency-Key");
        assertThat(key).startsWith("alert-default-").hasSizeLessThanOrEqualTo(ResendLimits.MAX_IDEMPOTENCY_KEY_CHARS);
        JsonNode body = JSON.readTree(r.getBodyAsString());
        // https://resend.com/docs/api-reference/emails/send-email: from, to[], subject, html, text, headers, tags[{name,value}].
        assertThat(body.get("from").asText()).isEqualTo("Fanout <alerts@example.org>");
        assertThat(body.get("to").isArray()).isTrue();
        assertThat(body.get("to").get(0).asText()).isEqualTo("ops@example.org");
        assertThat(body.get("subject").asText()).startsWith("[fanout] default: 1 × payment service unreachable after <num> retries");
        assertThat(body.get("text").asText()).contains("payment service unreachable after 3 retries");
        assertThat(body.get("html").asText()).startsWith("<!doctype html>");
        assertThat(body.get("tags")).hasSize(2);
        assertThat(body.get("tags").get(0).get("name").asText()).isEqualTo("kind");
        assertThat(body.get("tags").get(0).get("value").asText()).matches("[A-Za-z0-9_-]+");
        assertThat(body.get("headers").get("X-Entity-Ref-ID").asText()).hasSize(16);
        // What was sent is exactly what the state planned.
        assertThat(state().outbox).isEmpty();
        assertThat(state().total(AlertEngine.T_EMAILS_SENT)).isEqualTo(1);
    }

    @Test
    void severalEmailsAtOnceGoAsOneBatchRequestUnderOneKey() throws Exception {
        resend.stubFor(post(urlPathEqualTo("/emails/batch")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"data\":[{\"id\":\"a\"},{\"id\":\"b\"}]}")));
        h.sink.write(Events.batch(List.of(Events.event("web-1", "app", Severity.ERROR, "a failed", clock.instant()),
                Events.event("web-2", "app", Severity.ERROR, "b failed", clock.instant()))));
        clock.advance(Duration.ofSeconds(30));
        h.scheduler.runOnce();
        List<LoggedRequest> reqs = resend.findAll(postRequestedFor(urlPathEqualTo("/emails/batch")));
        assertThat(reqs).hasSize(1);
        assertThat(reqs.get(0).getHeader("Idempotency-Key")).startsWith("batch-");
        JsonNode arr = JSON.readTree(reqs.get(0).getBodyAsString());
        assertThat(arr.isArray()).isTrue();
        assertThat(arr).hasSize(2);
        assertThat(state().outbox).isEmpty();
    }

    @Test
    void rateLimitedWaitsRetryAfterThenSendsTheSameRequest() throws Exception {
        answer(429, error(429, "rate_limit_exceeded", "Too many requests"), "retry-after", "7", "ratelimit-remaining", "0",
                "ratelimit-reset", "7");
        alertAndAttempt("boom");
        assertThat(state().outbox).singleElement().satisfies(d -> {
            assertThat(d.nextAttemptAt).isEqualTo(clock.millis() + 7000);
            assertThat(d.lastError).contains("rate_limit_exceeded");
        });
        String key = resend.findAll(postRequestedFor(urlPathEqualTo("/emails"))).get(0).getHeader("Idempotency-Key");
        String body = resend.findAll(postRequestedFor(urlPathEqualTo("/emails"))).get(0).getBodyAsString();

        clock.advance(Duration.ofSeconds(6));
        h.scheduler.runOnce();
        assertThat(resend.findAll(postRequestedFor(urlPathEqualTo("/emails")))).hasSize(1);

        answer(200, "{\"id\":\"x\"}");
        clock.advance(Duration.ofSeconds(1));
        h.scheduler.runOnce();
        List<LoggedRequest> reqs = resend.findAll(postRequestedFor(urlPathEqualTo("/emails")));
        assertThat(reqs).hasSize(2);
        assertThat(reqs.get(1).getHeader("Idempotency-Key")).isEqualTo(key);
        assertThat(reqs.get(1).getBodyAsString()).isEqualTo(body);
        assertThat(state().outbox).isEmpty();
    }

    @Test
    void dailyQuotaExceededStopsSendingUntilTheNextUtcDayAndNeverFails() throws Exception {
        answer(429, error(429, "daily_quota_exceeded", "You have reached your daily email sending quota."));
        alertAndAttempt("boom");
        AlertState s = state();
        assertThat(s.budget.blockedUntil).isEqualTo(Instant.parse("2026-11-24T00:00:00Z").toEpochMilli());
        assertThat(s.outbox).hasSize(1);

        // A new group meanwhile is held back, not sent, and no request leaves.
        h.sink.write(Events.batch(List.of(Events.event("web-9", "app", Severity.ERROR, "other", clock.instant()))));
        clock.advance(Duration.ofHours(2));
        h.scheduler.runOnce();
        assertThat(resend.findAll(postRequestedFor(urlPathEqualTo("/emails")))).hasSize(1);
        assertThat(state().groups.values()).anyMatch(g -> g.heldBack);

        answer(200, "{\"id\":\"x\"}");
        resend.stubFor(post(urlPathEqualTo("/emails/batch")).willReturn(aResponse().withStatus(200).withBody("{\"data\":[]}")));
        clock.set(Instant.parse("2026-11-24T00:00:01Z"));
        h.scheduler.runOnce();
        s = state();
        assertThat(s.outbox).isEmpty();
        assertThat(s.budget.blockedUntil).isZero();
        // The carried-over e-mail was charged to the new day.
        assertThat(s.budget.day).isEqualTo("2026-11-24");
        assertThat(s.budget.dayUsed).isEqualTo(2);
    }

    @Test
    void monthlyQuotaExceededStopsSendingUntilTheFirstOfNextMonth() throws Exception {
        answer(429, error(429, "monthly_quota_exceeded", "You have reached your monthly email sending quota."));
        alertAndAttempt("boom");
        AlertState s = state();
        assertThat(s.budget.blockedUntil).isEqualTo(Instant.parse("2026-12-01T00:00:00Z").toEpochMilli());
        clock.set(Instant.parse("2026-11-30T23:00:00Z"));
        h.scheduler.runOnce();
        assertThat(resend.findAll(postRequestedFor(urlPathEqualTo("/emails")))).hasSize(1);
        assertThat(state().outbox).hasSize(1);
    }

    @Test
    void serverErrorsBackOffThenTheSameRequestSucceeds() throws Exception {
        resend.stubFor(post(urlPathEqualTo("/emails")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500).withBody(error(500, "internal_server_error", "oops")))
                .willSetStateTo("second"));
        resend.stubFor(post(urlPathEqualTo("/emails")).inScenario("flaky").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(503).withBody("<html>upstream</html>")).willSetStateTo("ok"));
        resend.stubFor(post(urlPathEqualTo("/emails")).inScenario("flaky").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody("{\"id\":\"ok\"}")));
        alertAndAttempt("boom");
        assertThat(state().outbox).singleElement().satisfies(d -> {
            assertThat(d.attempts).isEqualTo(1);
            assertThat(d.nextAttemptAt).isEqualTo(clock.millis() + AlertEngine.FIRST_BACKOFF_MILLIS);
        });
        clock.advance(Duration.ofMillis(AlertEngine.FIRST_BACKOFF_MILLIS));
        h.scheduler.runOnce();
        assertThat(state().outbox).singleElement().satisfies(d -> assertThat(d.attempts).isEqualTo(2));
        clock.advance(Duration.ofMillis(2 * AlertEngine.FIRST_BACKOFF_MILLIS));
        h.scheduler.runOnce();
        List<LoggedRequest> reqs = resend.findAll(postRequestedFor(urlPathEqualTo("/emails")));
        assertThat(reqs).hasSize(3);
        assertThat(reqs).extracting(r -> r.getHeader("Idempotency-Key")).containsOnly(reqs.get(0).getHeader("Idempotency-Key"));
        assertThat(state().outbox).isEmpty();
        assertThat(h.deadLetters).isEmpty();
    }

    @Test
    void validationErrorDeadLettersTheEmailWithTheServersReason() throws Exception {
        answer(422, error(422, "validation_error", "Invalid `from` field."));
        alertAndAttempt("boom");
        assertThat(state().outbox).isEmpty();
        assertThat(h.deadLetters).singleElement().asString().contains("422 validation_error: Invalid `from` field.");
        assertThat(state().total(AlertEngine.T_DEAD_LETTERED)).isEqualTo(1);
        // Never retried.
        clock.advance(Duration.ofHours(1));
        h.scheduler.runOnce();
        assertThat(resend.findAll(postRequestedFor(urlPathEqualTo("/emails")))).hasSize(1);
    }

    @Test
    void unauthorizedAndForbiddenArePermanentToo() throws Exception {
        answer(401, error(401, "missing_api_key", "Missing API key in the authorization header."));
        alertAndAttempt("boom");
        answer(403, error(403, "invalid_api_key", "API key is invalid."));
        h.sink.write(Events.batch(List.of(Events.event("web-2", "app", Severity.ERROR, "other boom", clock.instant()))));
        clock.advance(Duration.ofSeconds(30));
        h.scheduler.runOnce();
        assertThat(h.deadLetters).hasSize(2);
        assertThat(state().outbox).isEmpty();
    }

    @Test
    void conflictOnTheIdempotencyKeyMeansAlreadySent() throws Exception {
        answer(409, error(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload."));
        alertAndAttempt("boom");
        assertThat(state().outbox).isEmpty();
        assertThat(h.deadLetters).isEmpty();
        assertThat(state().total(AlertEngine.T_EMAILS_SENT)).isEqualTo(1);
    }

    @Test
    void aConcurrentRequestWithTheSameKeyIsRetried() throws Exception {
        answer(409, error(409, "concurrent_idempotent_requests", "Same idempotency key used while original request is still in progress."));
        alertAndAttempt("boom");
        assertThat(state().outbox).singleElement().satisfies(d -> assertThat(d.attempts).isEqualTo(1));
    }

    @Test
    void aTimeoutIsTransientAndTheEmailStaysPlanned() throws Exception {
        h = harness(Duration.ofMillis(300));
        resend.stubFor(post(urlPathEqualTo("/emails")).willReturn(aResponse().withStatus(200).withFixedDelay(3000)
                .withBody("{\"id\":\"late\"}")));
        alertAndAttempt("boom");
        assertThat(state().outbox).singleElement().satisfies(d -> {
            assertThat(d.attempts).isEqualTo(1);
            assertThat(d.lastError).startsWith("timeout");
        });
        assertThat(h.deadLetters).isEmpty();
    }

    @Test
    void aBatchRefusedAs422IsSplitSoOneBadEmailCostsOnlyItself() throws Exception {
        resend.stubFor(post(urlPathEqualTo("/emails/batch")).willReturn(aResponse().withStatus(422)
                .withBody(error(422, "validation_error", "emails[1]: invalid"))));
        resend.stubFor(post(urlPathEqualTo("/emails")).withRequestBody(equalToJson("{\"subject\":\"${json-unit.any-string}\"}", true, true))
                .willReturn(aResponse().withStatus(200).withBody("{\"id\":\"single\"}")));
        h.sink.write(Events.batch(List.of(Events.event("web-1", "app", Severity.ERROR, "a failed", clock.instant()),
                Events.event("web-2", "app", Severity.ERROR, "b failed", clock.instant()))));
        clock.advance(Duration.ofSeconds(30));
        h.scheduler.runOnce();
        assertThat(state().outbox).hasSize(2);
        h.scheduler.runOnce();
        List<LoggedRequest> singles = resend.findAll(postRequestedFor(urlPathEqualTo("/emails")));
        assertThat(singles).hasSize(2);
        assertThat(singles).extracting(r -> r.getHeader("Idempotency-Key")).allMatch(k -> k.startsWith("alert-default-"));
        assertThat(state().outbox).isEmpty();
        resend.verify(1, postRequestedFor(urlPathEqualTo("/emails/batch")).withHeader("Idempotency-Key", com.github.tomakehurst.wiremock.client.WireMock.matching("batch-.*")));
    }
}
