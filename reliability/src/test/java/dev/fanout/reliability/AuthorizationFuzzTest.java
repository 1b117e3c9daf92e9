package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fanout.consumer.push.PushTokenVerifier;
import com.sun.net.httpserver.HttpServer;
import dev.fanout.ingest.auth.AuthorizationHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code Authorization} header is the first thing both doors read, before any trust. Whatever
 * it holds: the ingest token extraction answers a token or nothing, and the push OIDC verifier
 * answers a {@link PushTokenVerifier.Result} — never an exception (a 500 instead of a 401 would make
 * Pub/Sub retry), and never {@code Accepted} without a token signed by a key from the JWKS (here
 * a loopback JWKS with no keys, so no token can be accepted).
 */
class AuthorizationFuzzTest {

    private static final URI JWKS = URI.create(emptyJwks());

    private static final PushTokenVerifier VERIFIER = new PushTokenVerifier(new PushTokenVerifier.Options(
            "https://archive-sink.example.run.app/v1/push/archive", "pusher@example.iam.gserviceaccount.com",
            JWKS.toString(), Set.of("https://accounts.google.com", "accounts.google.com"), Duration.ofHours(1)));

    /** A JWKS endpoint that answers at once with no keys (a closed port makes the client retry for a minute). */
    private static String emptyJwks() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            byte[] body = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
            server.createContext("/jwks", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void anyAuthorizationHeaderIsAnsweredNeverAcceptedUnsigned(String header) {
        Optional<String> token = AuthorizationHeader.token(header);
        token.ifPresent(t -> assertThat(t).isNotEmpty());
        PushTokenVerifier.Result r;
        // A well-formed Google token makes the verifier fetch the JWKS: that one loopback connection is
        // the test's own (the detector names it localhost). Jazzer's SSRF detector reported it once a mutated token got that far; any
        // other host or port is still a finding.
        try (SilentCloseable jwksOnly = BugDetectors.allowNetworkConnections(
                (host, port) -> port == JWKS.getPort() && (host.equals(JWKS.getHost()) || host.equals("localhost")))) {
            r = VERIFIER.verify(header);
        }
        assertThat(r).isNotNull().isNotInstanceOf(PushTokenVerifier.Result.Accepted.class);
    }
}
