package dev.fanout.consumer.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Push OIDC off is a prod-profile refusal unless explicitly switched on. */
class PushAuthenticatorTest {

    @Test
    void pushOidcOffIsRefusedInProdUnlessTheUnsafeSwitchIsSet() {
        assertThatThrownBy(() -> PushAuthenticator.checkOidcOff(true, k -> Optional.empty()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("fanout.unsafe.push-oidc-off=true");
        assertThatThrownBy(() -> PushAuthenticator.checkOidcOff(true, k -> Optional.of(false)))
                .isInstanceOf(IllegalStateException.class);
        Map<String, Boolean> on = Map.of("fanout.unsafe.push-oidc-off", true);
        assertThat(PushAuthenticator.checkOidcOff(true, k -> Optional.ofNullable(on.get(k)))).get().asString()
                .contains("DISABLED").contains("allowed by fanout.unsafe.push-oidc-off=true");
        assertThat(PushAuthenticator.checkOidcOff(false, k -> Optional.empty())).get().asString().contains("outside prod");
    }
}
