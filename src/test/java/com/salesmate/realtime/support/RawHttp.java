package com.salesmate.realtime.support;

import org.json.JSONObject;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/** Exact HTTP/1.1 exchanges and hand-driven websocket frames over a plain TCP socket, to assert on raw answers. */
public final class RawHttp implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(10);
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int port;
    private final List<String> texts = new java.util.ArrayList<>();

    private RawHttp(Socket socket, int port) throws IOException {
        this.socket = socket;
        this.port = port;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** A connection to 127.0.0.1:port. */
    public static RawHttp connect(int port) {
        return connect(null, port);
    }

    /** A connection to 127.0.0.1:port from the given local address (e.g. 127.0.0.2: another client address). */
    public static RawHttp connect(String localAddress, int port) {
        return connect(localAddress, port, 0);
    }

    /**
     * As {@link #connect(String, int)}, with the receive buffer set before connecting when {@code receiveBufferSize}
     * is above 0 (a small one makes a client that stops reading fill its TCP window soon).
     */
    public static RawHttp connect(String localAddress, int port, int receiveBufferSize) {
        Socket s = new Socket();
        try {
            if (receiveBufferSize > 0) {
                s.setReceiveBufferSize(receiveBufferSize);
            }
            if (localAddress != null) {
                s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setTcpNoDelay(true);
            return new RawHttp(s, port);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to release
            }
            throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
        }
    }

    /** Connects, sends one request, reads the answer and whether the server then closed the connection. */
    public static Response once(int port, String request) {
        try (RawHttp c = connect(port)) {
            return c.exchange(request);
        }
    }

    /**
     * Request text: {@code METHOD target HTTP/1.1}, {@code Host}, the headers, {@code Content-Length} when a body is
     * given (unless a header sets it), the body.
     */
    public static String request(String method, String target, int port, Map<String, String> headers, String body) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        sb.append("Host: 127.0.0.1:").append(port).append("\r\n");
        boolean hasLength = false;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            hasLength |= h.getKey().equalsIgnoreCase("Content-Length");
        }
        if (body != null && !hasLength) {
            sb.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        }
        sb.append("\r\n");
        if (body != null) {
            sb.append(body);
        }
        return sb.toString();
    }

    public static String get(String target, int port, Map<String, String> headers) {
        return request("GET", target, port, headers, null);
    }

    /** Headers of a websocket opening handshake (a fresh random key), plus the extra ones. */
    public static Map<String, String> websocketHeaders(Map<String, String> extra) {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Upgrade", "websocket");
        h.put("Connection", "Upgrade");
        h.put("Sec-WebSocket-Key", Base64.getEncoder().encodeToString(key));
        h.put("Sec-WebSocket-Version", "13");
        h.putAll(extra);
        return h;
    }

    public int port() {
        return port;
    }

    /** Writes the text (UTF-8) as is. */
    public RawHttp write(String text) {
        return write(text.getBytes(StandardCharsets.UTF_8));
    }

    public RawHttp write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("write failed", e);
        }
        return this;
    }

    /** Writes without failing when the server has already closed; true if written. */
    public boolean tryWrite(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends the request, reads the answer, then checks (within 3 s) whether the server closed the connection. */
    public Response exchange(String request) {
        write(request);
        return readThenClosed(WAIT);
    }

    /** Reads one response, then checks (within 3 s) whether the server closed the connection. */
    public Response readThenClosed(Duration within) {
        return read(within).withClosedAfter(serverClosed(Duration.ofSeconds(3)));
    }

    /** True if the server sends something (or closes) within the time; what it sent is left to be read. */
    public boolean hasDataWithin(Duration within) {
        try {
            socket.setSoTimeout((int) Math.max(1, within.toMillis()));
            in.mark(1);
            in.read();
            in.reset();
            return true;
        } catch (SocketTimeoutException quiet) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Reads one response; AssertionError if the connection ends or nothing comes within the time. */
    public Response read(Duration within) {
        return tryRead(within)
                .orElseThrow(() -> new AssertionError("the server closed the connection without an answer"));
    }

    /** One response, or empty when the server closed (or reset) the connection before sending a byte. */
    public Optional<Response> tryRead(Duration within) {
        try {
            socket.setSoTimeout((int) Math.max(1, within.toMillis()));
            String statusLine;
            try {
                statusLine = readLine();
            } catch (SocketException reset) {
                return Optional.empty();
            }
            if (statusLine == null) {
                return Optional.empty();
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new AssertionError("not an HTTP status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            String line;
            while ((line = readLine()) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new AssertionError("malformed header line: " + line);
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                headers.merge(name, value, (a, b) -> a + ", " + b);
            }
            byte[] body = readBody(status, headers);
            return Optional.of(new Response(statusLine, status, Collections.unmodifiableMap(headers), body, null));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no (complete) answer within " + within, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] readBody(int status, Map<String, String> headers) throws IOException {
        if (status == 101 || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            return new byte[0];
        }
        String length = headers.get("Content-Length");
        if (length != null) {
            return readExactly(Integer.parseInt(length.trim()));
        }
        String te = headers.get("Transfer-Encoding");
        if (te != null && te.toLowerCase().contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String size = readLine();
                if (size == null) {
                    throw new AssertionError("connection ended inside a chunked body");
                }
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    String trailer;
                    while ((trailer = readLine()) != null && !trailer.isEmpty()) {
                        // trailers ignored
                    }
                    return body.toByteArray();
                }
                body.write(readExactly(n));
                readLine();
            }
        }
        // no length: the body runs to the end of the connection
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        try {
            while ((n = in.read(buf)) != -1) {
                body.write(buf, 0, n);
            }
        } catch (SocketException reset) {
            // end of the connection all the same
        }
        return body.toByteArray();
    }

    private byte[] readExactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new AssertionError("connection ended after " + b.length + " of " + n + " body bytes");
        }
        return b;
    }

    /** A CRLF (or LF) terminated line, null at the end of the stream. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] b = line.toByteArray();
                int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(c);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * True if the server closes the connection (a read ends or is reset) within the time; false if it stays open.
     * Bytes the server sends meanwhile are skipped (a misbehaving server is caught by the response assertions).
     */
    public boolean serverClosed(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) left);
                try {
                    if (in.read() == -1) {
                        return true;
                    }
                } catch (SocketTimeoutException open) {
                    return false;
                } catch (SocketException reset) {
                    return true;
                }
            }
        } catch (IOException e) {
            return true;
        }
    }

    // ---- websocket frames ------------------------------------------------------------------------------------------

    /**
     * A direct websocket Engine.IO session opened by hand ({@link #connect(String, int, int)}, then the upgrade,
     * answered 101); the next frame is the server's OPEN packet.
     */
    public static RawHttp websocket(String localAddress, int port, int receiveBufferSize) {
        RawHttp c = connect(localAddress, port, receiveBufferSize);
        Response r = c.write(get("/socket.io/?EIO=4&transport=websocket", port, websocketHeaders(Map.of()))).read(WAIT);
        if (r.status() != 101) {
            c.close();
            throw new AssertionError("websocket upgrade answered " + r);
        }
        return c;
    }

    /** Text frames up to the first one matching (those read on the way are kept, see {@link #texts()}). */
    public String awaitText(java.util.function.Predicate<String> done, Duration within) {
        while (true) {
            Frame f = readFrame(within).orElseThrow(
                    () -> new AssertionError("connection ended before a matching frame; read " + texts));
            if (f.opcode() == Frame.CLOSE) {
                throw new AssertionError("closed (" + f.closeCode() + ") before a matching frame; read " + texts);
            }
            if (f.opcode() == Frame.TEXT) {
                String text = f.text();
                texts.add(text.length() > 200 ? text.substring(0, 200) + "..." : text);
                if (done.test(text)) {
                    return text;
                }
            }
        }
    }

    /** The status code of the server's close frame; -1 when the connection ended without one. Texts on the way are kept. */
    public int awaitCloseCode(Duration within) {
        while (true) {
            Optional<Frame> f = readFrame(within);
            if (f.isEmpty()) {
                return -1;
            }
            if (f.get().opcode() == Frame.CLOSE) {
                return f.get().closeCode();
            }
            if (f.get().opcode() == Frame.TEXT) {
                texts.add(f.get().text());
            }
        }
    }

    /** The text frames {@link #awaitText} and {@link #awaitCloseCode} read. */
    public List<String> texts() {
        return texts;
    }

    /** A masked client text frame (FIN set). */
    public boolean sendText(String text) {
        return sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A masked client frame with FIN set; false if the connection is gone. */
    public boolean sendFrame(int opcode, byte[] payload) {
        return sendFrame(true, opcode, payload);
    }

    /** A masked client frame (opcode 0 continues a fragmented message); false if the connection is gone. */
    public boolean sendFrame(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write((fin ? 0x80 : 0) | opcode);
        int n = payload.length;
        if (n < 126) {
            f.write(0x80 | n);
        } else if (n <= 0xFFFF) {
            f.write(0x80 | 126);
            f.write(n >>> 8);
            f.write(n);
        } else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) n >>> (8 * i)));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.write(mask, 0, 4);
        for (int i = 0; i < n; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        try {
            out.write(f.toByteArray());
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The next server frame, waiting as long as it takes; empty once the connection ended (or was closed here). */
    public Optional<Frame> readFrameBlocking() {
        return readFrame(0);
    }

    /** The next server frame, or empty if the connection ended (or was reset) first. */
    public Optional<Frame> readFrame(Duration within) {
        return readFrame((int) Math.max(1, within.toMillis()));
    }

    private Optional<Frame> readFrame(int timeoutMs) {
        Duration within = Duration.ofMillis(timeoutMs);
        try {
            socket.setSoTimeout(timeoutMs);
            int b0 = in.read();
            if (b0 == -1) {
                return Optional.empty();
            }
            int b1 = in.read();
            if (b1 == -1) {
                return Optional.empty();
            }
            long len = b1 & 0x7F;
            if (len == 126) {
                len = (in.read() << 8) | in.read();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | in.read();
                }
            }
            byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
            byte[] payload = in.readNBytes((int) len);
            if (payload.length < len) {
                return Optional.empty();
            }
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            return Optional.of(new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no websocket frame within " + within, e);
        } catch (SocketException reset) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // quiet
        }
    }

    /** A response; {@code closedAfter} is whether the server closed the connection after it (null: not checked). */
    public record Response(String statusLine, int status, Map<String, String> headers, byte[] body,
                           Boolean closedAfter) {
        public String header(String name) {
            return headers.get(name);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The body as a JSON object (AssertionError if it is not one). */
        public JSONObject json() {
            return RawEngineIo.parseObject(text());
        }

        Response withClosedAfter(boolean closed) {
            return new Response(statusLine, status, headers, body, closed);
        }

        @Override
        public String toString() {
            String t = text();
            return statusLine + " " + headers + " " + (t.length() > 300 ? t.substring(0, 300) + "..." : t)
                    + (closedAfter == null ? "" : closedAfter ? " [then closed]" : " [connection left open]");
        }
    }

    /** A websocket frame as received. */
    public record Frame(boolean fin, int opcode, byte[] payload) {
        public static final int TEXT = 0x1;
        public static final int BINARY = 0x2;
        public static final int CLOSE = 0x8;
        public static final int PING = 0x9;

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close frame's status code, -1 if it has none. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        @Override
        public String toString() {
            return "frame(op=" + opcode + (opcode == CLOSE ? ", code=" + closeCode() : ", " + text()) + ")";
        }
    }
}
