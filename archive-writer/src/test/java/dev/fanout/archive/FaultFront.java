package dev.fanout.archive;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Byte-faithful HTTP/1.1 front for fault tests: each request goes either straight to s3proxy or to
 * WireMock, which injects the fault. Needed because WireMock's proxy inflates any request body that
 * starts with the gzip magic bytes (WireMockHttpServletRequestAdapter.getBody → Gzip.isGzipped), so
 * gzip objects proxied through it fail SigV4's payload hash and would be stored inflated.
 *
 * <p>One request per connection ({@code Connection: close} both ways) keeps framing trivial: the
 * upstream response is read to EOF and relayed. An upstream reset is relayed as a reset.
 */
final class FaultFront implements Closeable {

    /** What the front saw of one request (the SDK's headers, before any upstream). */
    record Head(String method, String target, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        boolean isObjectPut(String keyPrefix) {
            return method.equals("PUT") && target.matches("/[^/]+/" + keyPrefix + ".*");
        }
    }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "expect", "keep-alive", "proxy-connection");

    private final ServerSocket server;
    private final URI s3proxy;
    private final URI wiremock;
    private final List<Head> seen = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Predicate<Head> toWireMock = h -> false;
    private volatile long s3proxyResponseDelayMillis;

    FaultFront(URI s3proxy, URI wiremock) throws IOException {
        this.s3proxy = s3proxy;
        this.wiremock = wiremock;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::acceptLoop, "fault-front-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Requests matching {@code rule} go to WireMock; all others to s3proxy. */
    void routeToWireMock(Predicate<Head> rule) {
        toWireMock = rule;
    }

    /** Holds s3proxy's answers this long after it has processed the request (a lost response). */
    void delayS3ProxyResponses(long millis) {
        s3proxyResponseDelayMillis = millis;
    }

    void reset() {
        toWireMock = h -> false;
        s3proxyResponseDelayMillis = 0;
        seen.clear();
    }

    List<Head> seen() {
        return List.copyOf(seen);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread t = new Thread(() -> serve(client), "fault-front-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] headBytes = readHead(in);
            if (headBytes == null) {
                return;
            }
            String[] lines = new String(headBytes, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] requestLine = lines[0].split(" ", 3);
            Map<String, String> headers = new LinkedHashMap<>();
            List<String> forwarded = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).trim();
                String value = lines[i].substring(colon + 1).trim();
                headers.put(name.toLowerCase(Locale.ROOT), value);
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                    forwarded.add(name + ": " + value);
                }
            }
            Head head = new Head(requestLine[0], requestLine[1], headers);
            seen.add(head);
            if (headers.containsKey("transfer-encoding")) {
                out.write("HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes((int) length);

            boolean faulted = toWireMock.test(head);
            URI upstream = faulted ? wiremock : s3proxy;
            byte[] response;
            try (Socket up = new Socket(upstream.getHost(), upstream.getPort())) {
                OutputStream upOut = up.getOutputStream();
                StringBuilder sb = new StringBuilder(lines[0]).append("\r\n");
                forwarded.forEach(h -> sb.append(h).append("\r\n"));
                sb.append("Connection: close\r\n\r\n");
                upOut.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
                upOut.write(body);
                upOut.flush();
                response = up.getInputStream().readAllBytes();
            } catch (IOException upstreamFailed) {
                abort(client); // relay a reset as a reset
                return;
            }
            if (!faulted && s3proxyResponseDelayMillis > 0) {
                // Fault injection itself, not test synchronisation: the client must give up first.
                Thread.sleep(s3proxyResponseDelayMillis);
            }
            out.write(response);
            out.flush();
        } catch (IOException | InterruptedException | RuntimeException e) {
            // The client went away (e.g. timed out): nothing to relay.
        } finally {
            open.remove(client);
        }
    }

    private static void abort(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException ignored) {
            // Already gone.
        }
    }

    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (head.size() < 64 * 1024) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) ? state + 1
                    : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (state == 4) {
                byte[] bytes = head.toByteArray();
                return java.util.Arrays.copyOf(bytes, bytes.length - 4);
            }
        }
        throw new IOException("request head too large");
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            abort(s);
        }
    }
}
