package dev.easel.server;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * A multipart/form-data body built by hand, so a test controls every byte of the part headers (a file name with
 * {@code ..} or a backslash goes to the server exactly as written).
 */
final class Multipart {

    private final String boundary = "easel-test-boundary-7MA4YWxkTrZu0gW";
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    /** A text field. */
    Multipart field(String name, String value) {
        return part("Content-Disposition: form-data; name=\"" + name + "\"",
                value.getBytes(StandardCharsets.UTF_8));
    }

    /** A file part whose {@code filename="..."} is written verbatim (no escaping). */
    Multipart file(String name, String filename, byte[] content) {
        return part("Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename + "\"\r\n"
                + "Content-Type: image/png", content);
    }

    /** A part with the given header lines (CRLF-separated, verbatim, UTF-8). */
    Multipart part(String headers, byte[] content) {
        body.writeBytes(("--" + boundary + "\r\n" + headers + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        return this;
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(body.toByteArray());
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    HttpResponse<String> post(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes())).build(), HttpResponse.BodyHandlers.ofString());
    }
}
