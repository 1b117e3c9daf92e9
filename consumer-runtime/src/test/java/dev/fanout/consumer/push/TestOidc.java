package dev.fanout.consumer.push;

import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.json.webtoken.JsonWebSignature;
import com.google.api.client.json.webtoken.JsonWebToken;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A local stand-in for Google's token issuer: RSA keys generated per run, a JWKS endpoint on
 * loopback, and RS256 tokens signed with google-http-client (the same library that verifies them).
 */
public final class TestOidc implements AutoCloseable {

    public static final String SERVICE_ACCOUNT = "push@fanout-test.iam.gserviceaccount.com";

    private final Map<String, KeyPair> keys = new LinkedHashMap<>();
    private final Map<String, KeyPair> published = new LinkedHashMap<>();
    private final HttpServer server;
    public final AtomicInteger fetches = new AtomicInteger();

    public TestOidc() throws IOException {
        addKey("k1", true);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/certs", ex -> {
            fetches.incrementAndGet();
            byte[] body = jwks().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        server.start();
    }

    public String jwksUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/certs";
    }

    /** Generates a key; only published keys appear in the JWKS. */
    public synchronized void addKey(String kid, boolean publish) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair kp = g.generateKeyPair();
            keys.put(kid, kp);
            if (publish) {
                published.put(kid, kp);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public synchronized void publish(String kid) {
        published.put(kid, keys.get(kid));
    }

    private synchronized String jwks() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return published.entrySet().stream().map(e -> {
            RSAPublicKey pk = (RSAPublicKey) e.getValue().getPublic();
            return "{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"" + e.getKey() + "\",\"n\":\""
                    + b64.encodeToString(unsigned(pk.getModulus().toByteArray())) + "\",\"e\":\""
                    + b64.encodeToString(unsigned(pk.getPublicExponent().toByteArray())) + "\"}";
        }).collect(Collectors.joining(",", "{\"keys\":[", "]}"));
    }

    private static byte[] unsigned(byte[] b) {
        return b.length > 1 && b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }

    /** Claims of a valid push token for the audience; tests modify them. */
    public static Map<String, Object> claims(String audience) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", "https://accounts.google.com");
        c.put("aud", audience);
        c.put("iat", now);
        c.put("exp", now + 3600);
        c.put("sub", "1234567890");
        c.put("email", SERVICE_ACCOUNT);
        c.put("email_verified", true);
        return c;
    }

    /** Signs the claims with the key {@code signWith}, naming {@code kid} in the header. */
    public synchronized String token(Map<String, Object> claims, String kid, String signWith) {
        JsonWebSignature.Header h = new JsonWebSignature.Header().setAlgorithm("RS256").setType("JWT").setKeyId(kid);
        JsonWebToken.Payload p = new JsonWebToken.Payload();
        claims.forEach(p::set);
        try {
            return JsonWebSignature.signUsingRsaSha256(keys.get(signWith).getPrivate(), GsonFactory.getDefaultInstance(), h, p);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String token(Map<String, Object> claims) {
        return token(claims, "k1", "k1");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
