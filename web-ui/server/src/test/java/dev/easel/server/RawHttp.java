package dev.easel.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A hand-made HTTP/1.1 client over a plain socket, for requests the JDK client will not send: any {@code Host} or
 * {@code Origin}, lying {@code Content-Length}s, chunked bodies, WebSocket upgrades, invalid UTF-8. Every request
 * says {@code Connection: close}, so a response is everything up to the end of the stream.
 */
final class RawHttp {

    /** A parsed response; {@code status} is -1 when the server closed the connection without one. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    /** Sends {@code head} (request line and headers, without the blank line) and {@code body}, then reads the reply. */
    Response send(String head, byte[] body) throws IOException {
        return send(head, body, false);
    }

    /** As {@link #send(String, byte[])}; with {@code stopSending}, the client then shuts its side (a short body). */
    Response send(String head, byte[] body, boolean stopSending) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write((head + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            if (stopSending) {
                socket.shutdownOutput();
            }
            return read(socket.getInputStream());
        }
    }

    /** A request with {@code Host: 127.0.0.1:port} plus {@code headers} and a JSON-ish body with its length. */
    Response request(String method, String path, String body, String... headers) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        return requestBytes(method, path, bytes, headers);
    }

    Response requestBytes(String method, String path, byte[] body, String... headers) throws IOException {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1");
        boolean hasHost = false;
        for (String h : headers) {
            head.append("\r\n").append(h);
            hasHost |= h.regionMatches(true, 0, "Host:", 0, 5);
        }
        if (!hasHost) {
            head.append("\r\nHost: 127.0.0.1:").append(port);
        }
        if (!method.equals("GET")) {
            head.append("\r\nContent-Length: ").append(body.length);
        }
        return send(head.toString(), method.equals("GET") ? null : body);
    }

    /**
     * Streams {@code total} bytes of {@code fill} as a body, chunked or with the given Content-Length (null: chunked),
     * stopping early if the server stops reading; then reads the reply.
     */
    Response stream(String path, String contentLength, long total, byte fill) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                    + (contentLength == null ? "Transfer-Encoding: chunked" : "Content-Length: " + contentLength)
                    + "\r\nConnection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            byte[] block = new byte[1 << 16];
            java.util.Arrays.fill(block, fill);
            try {
                for (long sent = 0; sent < total; sent += block.length) {
                    int n = (int) Math.min(block.length, total - sent);
                    if (contentLength == null) {
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(block, 0, n);
                        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    } else {
                        out.write(block, 0, n);
                    }
                }
                if (contentLength == null) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                out.flush();
            } catch (SocketException e) {
                // The server answered and closed while we were still sending: read what it said.
            }
            return read(socket.getInputStream());
        }
    }

    private static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                all.write(buf, 0, n);
                if (isUpgraded(all)) {
                    break; // a WebSocket now: no end of stream to wait for
                }
            }
        } catch (SocketException | SocketTimeoutException e) {
            // a reset after the reply, or a server that never answers: parse what came
            if (all.size() == 0 && e instanceof SocketTimeoutException) {
                throw e;
            }
        }
        String text = all.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/") || end < 0) {
            return new Response(-1, Map.of(), text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] rest = all.toByteArray();
        byte[] body = java.util.Arrays.copyOfRange(rest, end + 4, rest.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static boolean isUpgraded(ByteArrayOutputStream received) {
        if (received.size() > 4096) {
            return false; // an upgrade's reply is a few headers
        }
        String text = received.toString(StandardCharsets.ISO_8859_1);
        return text.startsWith("HTTP/1.1 101") && text.contains("\r\n\r\n");
    }

    private static byte[] dechunk(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < data.length) {
            int lineEnd = indexOfCrlf(data, i);
            if (lineEnd < 0) {
                break;
            }
            String sizeText = new String(data, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int size = Integer.parseInt(sizeText, 16);
            if (size == 0) {
                break;
            }
            out.write(data, lineEnd + 2, Math.min(size, data.length - lineEnd - 2));
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] data, int from) {
        for (int i = from; i + 1 < data.length; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
