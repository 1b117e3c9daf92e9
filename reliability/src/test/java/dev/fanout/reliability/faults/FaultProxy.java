package dev.fanout.reliability.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy in front of an HTTP server (s3proxy) that can turn faulty: answer every
 * request with a 5xx, swallow requests (a timeout for the client), or reset connections. Switching
 * the mode closes every open connection, so a client's pooled connections meet the fault too.
 */
final class FaultProxy implements AutoCloseable {

    enum Mode { PASS, HTTP_503, BLACK_HOLE, RESET }

    private static final String SLOW_DOWN_BODY =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>fault</Message></Error>";
    private static final byte[] SLOW_DOWN = ("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
            + "Content-Length: " + SLOW_DOWN_BODY.length() + "\r\nConnection: close\r\n\r\n" + SLOW_DOWN_BODY)
            .getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private final java.util.concurrent.atomic.AtomicInteger faulted = new java.util.concurrent.atomic.AtomicInteger();
    private final Thread acceptor;

    FaultProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::acceptLoop, "fault-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Connections that met a fault so far (evidence the fault was exercised). */
    int faulted() {
        return faulted.get();
    }

    int port() {
        return server.getLocalPort();
    }

    void mode(Mode m) {
        mode = m;
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread t = new Thread(() -> serve(client), "fault-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try {
            Mode m = mode;
            if (m != Mode.PASS) {
                faulted.incrementAndGet();
            }
            switch (m) {
                case RESET -> {
                    client.setSoLinger(true, 0); // close() sends RST
                    client.close();
                }
                case BLACK_HOLE -> client.getInputStream().transferTo(OutputStream.nullOutputStream());
                case HTTP_503 -> {
                    readHead(client.getInputStream());
                    client.getOutputStream().write(SLOW_DOWN);
                    client.getOutputStream().flush();
                    client.close();
                }
                case PASS -> {
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    open.add(upstream);
                    Thread back = new Thread(() -> pipe(upstream, client), "fault-proxy-back");
                    back.setDaemon(true);
                    back.start();
                    pipe(client, upstream);
                }
            }
        } catch (IOException e) {
            // the peer went away or the mode switch closed it
        } finally {
            open.remove(client);
        }
    }

    private static void readHead(InputStream in) throws IOException {
        int state = 0;
        int b;
        while (state < 4 && (b = in.read()) >= 0) {
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
    }

    private void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        mode(Mode.PASS);
    }
}
