package dev.fanout.alerts.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.events.status.BuildInfo;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/status} of the alert sink: the sink's counters and the e-mail budget left, no secrets. */
@QuarkusTest
@QuarkusTestResource(ResendFake.class)
class AlertStatusTests {

    @Test
    void servesTheEmailBudgetAndTheAlertsSink() throws Exception {
        String body = given().when().get("/v1/status").then().statusCode(200).extract().asString();
        assertThat(body).as("neither the Resend key nor a recipient").doesNotContain("re_app_test_key").doesNotContain("ops@example.org");
        JsonNode s = new ObjectMapper().readTree(body);
        assertThat(s.path("service").asText()).isEqualTo("alert-sink");
        assertThat(s.path("version").asText()).isEqualTo(BuildInfo.current().version());
        assertThat(s.path("sinks").path("alerts").path("ready").asBoolean()).isTrue();
        JsonNode alerts = s.path("alerts");
        assertThat(alerts.path("enabled").asBoolean()).isTrue();
        int daily = alerts.path("daily_cap").asInt();
        assertThat(daily).isPositive();
        assertThat(alerts.path("monthly_cap").asInt()).isGreaterThanOrEqualTo(daily);
        JsonNode budget = alerts.path("budget");
        // Other tests of this app may have spent some: what is left and what was spent add up to the cap.
        assertThat(budget.path("remaining_today").asInt() + budget.path("used_today").asInt()).isEqualTo(daily);
        assertThat(budget.path("remaining_today_normal").asInt()).isLessThanOrEqualTo(budget.path("remaining_today").asInt());
        assertThat(budget.has("blocked_until")).isTrue();
        assertThat(alerts.has("outbox")).isTrue();
    }
}
