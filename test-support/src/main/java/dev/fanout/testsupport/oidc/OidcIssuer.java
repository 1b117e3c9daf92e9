package dev.fanout.testsupport.oidc;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback stand-in for Google's token issuer for the packaged-app tests (*IT): one RSA key
 * generated per run, its JWKS on {@code http://127.0.0.1:<port>/certs}, and RS256 push tokens
 * signed with the JDK alone, so the app's real verifier (google-auth-library) checks signature,
 * expiry, issuer, audience and principal exactly as in production.
 *
 * <p>JDK only (no google-http-client): test-support is also the standalone Pub/Sub fake's jar.
 * consumer-runtime's own tests use their {@code TestOidc}, which can also rotate keys.
 */
public final class OidcIssuer implements AutoCloseable {

    public static final String SERVICE_ACCOUNT = "push@fanout-test.iam.gserviceaccount.com";
    public static final String ISSUER = "https://accounts.google.com";
    private static final String KID = "it-1";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final KeyPair key;
    private final HttpServer server;
    private final AtomicInteger fetches = new AtomicInteger();

    private OidcIssuer(KeyPair key, HttpServer server) {
        this.key = key;
        this.server = server;
    }

    public static OidcIssuer start() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair key = g.generateKeyPair();
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            OidcIssuer issuer = new OidcIssuer(key, server);
            server.createContext("/certs", ex -> {
                issuer.fetches.incrementAndGet();
                byte[] body = issuer.jwks().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            });
            server.start();
            return issuer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The {@code fanout.consumer.push.oidc.*} settings that keep push verification on (the prod
     * default) with this issuer's keys, {@link #SERVICE_ACCOUNT} and {@code audience}.
     */
    public java.util.Map<String, String> pushConfig(String audience) {
        return java.util.Map.of(
                "fanout.consumer.push.oidc.audience", audience,
                "fanout.consumer.push.oidc.service-account-email", SERVICE_ACCOUNT,
                "fanout.consumer.push.oidc.jwks-url", jwksUrl());
    }

    public String jwksUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/certs";
    }

    /** JWKS requests served so far (the app fetched the keys: its verifier is the real one). */
    public int fetches() {
        return fetches.get();
    }

    private String jwks() {
        RSAPublicKey pk = (RSAPublicKey) key.getPublic();
        return "{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"" + KID + "\",\"n\":\""
                + B64.encodeToString(unsigned(pk.getModulus().toByteArray())) + "\",\"e\":\""
                + B64.encodeToString(unsigned(pk.getPublicExponent().toByteArray())) + "\"}]}";
    }

    private static byte[] unsigned(byte[] b) {
        return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }

    /** A valid push token (one hour) of {@link #SERVICE_ACCOUNT} for {@code audience}. */
    public String token(String audience) {
        return token(audience, SERVICE_ACCOUNT);
    }

    /** A token signed by this issuer for {@code audience} and principal {@code email}. */
    public String token(String audience, String email) {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + KID + "\"}";
        String payload = "{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + audience + "\",\"iat\":" + now + ",\"exp\":" + (now + 3600)
                + ",\"sub\":\"1234567890\",\"email\":\"" + email + "\",\"email_verified\":true}";
        String signingInput = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key.getPrivate());
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
