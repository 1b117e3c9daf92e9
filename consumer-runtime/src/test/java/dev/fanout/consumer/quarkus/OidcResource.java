package dev.fanout.consumer.quarkus;

import dev.fanout.consumer.push.TestOidc;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Starts the local JWKS issuer and points the push OIDC verification at it. */
public class OidcResource implements QuarkusTestResourceLifecycleManager {

    static volatile TestOidc oidc;

    @Override
    public Map<String, String> start() {
        try {
            oidc = new TestOidc();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "fanout.consumer.push.oidc.enabled", "true",
                "fanout.consumer.push.oidc.audience", PushOidcTests.AUDIENCE,
                "fanout.consumer.push.oidc.service-account-email", TestOidc.SERVICE_ACCOUNT,
                "fanout.consumer.push.oidc.jwks-url", oidc.jwksUrl());
    }

    @Override
    public void stop() {
        if (oidc != null) {
            oidc.close();
        }
    }
}
