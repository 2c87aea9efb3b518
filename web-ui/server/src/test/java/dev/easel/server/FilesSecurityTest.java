package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Path-traversal attempts against {@code /view} (filename, subfolder and type, raw, percent-encoded, double-encoded,
 * overlong UTF-8, NUL, backslashes, drive letters, UNC names, fullwidth look-alikes, symbolic links) and against the
 * upload routes (the multipart file name, the subfolder and type fields, {@code original_ref}). Every one must be
 * refused with 400, 403 or 404, never answer with the secret file's bytes, and never write outside the data
 * folders; the server must still answer {@code /queue} afterwards. Requests go over a raw socket so that the server
 * sees exactly the bytes written here (no client-side normalisation).
 */
class FilesSecurityTest {

    private static final String SECRET = "EASEL-SECRET-7f3a9c";

    @TempDir
    Path dir;
    private TestServer server;
    private Path outside;
    private Path input;
    private Map<String, String> outsideBefore;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir);
        input = server.folders.input();
        Files.createDirectories(input);
        Files.createDirectories(server.folders.output());
        Files.createDirectories(server.folders.temp());
        outside = dir.resolve("secret");
        Files.createDirectories(outside);
        Files.writeString(dir.resolve("secret.txt"), SECRET);
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.write(outside.resolve("secret.png"), FilesContractTest.png(FilesContractTest.gradient(8, 8)));
        Files.writeString(input.resolve("ok.txt"), "fine");
        // a real original for the mask uploads, so that only the attacked field decides
        Files.write(server.folders.output().resolve("fine.png"), FilesContractTest.png(FilesContractTest.gradient(4,
                4)));
        Files.createSymbolicLink(input.resolve("link.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(input.resolve("link.png"), outside.resolve("secret.png"));
        Files.createSymbolicLink(input.resolve("linkdir"), outside);
        Files.createSymbolicLink(server.folders.output().resolve("linkdir"), outside);
        Files.createSymbolicLink(input.resolve("victim.txt"), outside.resolve("secret.txt"));
        outsideBefore = snapshotOutsideDataFolders();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void viewRefusesEveryTraversal() throws Exception {
        String abs = enc(outside.resolve("secret.txt").toString());
        String absDir = enc(outside.toString());
        List<String> attacks = List.of(
                // the file name
                "/view?filename=../secret.txt",
                "/view?filename=../../secret.txt&type=input",
                "/view?filename=..%2Fsecret.txt",
                "/view?filename=..%2f..%2fsecret%2fsecret.txt",
                "/view?filename=%2e%2e%2fsecret.txt",
                "/view?filename=%2E%2E/secret.txt",
                "/view?filename=%252e%252e%252fsecret.txt",
                "/view?filename=..%5csecret.txt",
                "/view?filename=..%5c..%5csecret.txt",
                "/view?filename=%c0%ae%c0%ae%2fsecret.txt",
                "/view?filename=%c0%ae%c0%ae%c0%afsecret.txt",
                "/view?filename=%e0%80%ae%e0%80%ae/secret.txt",
                "/view?filename=secret.txt%00.png",
                "/view?filename=..%00/secret.txt",
                "/view?filename=/etc/passwd",
                "/view?filename=%2fetc%2fpasswd",
                "/view?filename=" + abs,
                "/view?filename=C:%5cWindows%5cwin.ini",
                "/view?filename=C:secret.txt",
                "/view?filename=%5c%5cserver%5cshare%5csecret.txt",
                "/view?filename=%ef%bc%8e%ef%bc%8e%ef%bc%8fsecret.txt",
                "/view?filename=%ef%bc%8e%ef%bc%8e",
                "/view?filename=....%2f%2fsecret.txt",
                "/view?filename=....//....//secret.txt",
                "/view?filename=..",
                "/view?filename=.",
                "/view?filename=...",
                "/view?filename=..%2fsecret.txt%20%5binput%5d",
                "/view?filename=secret.txt%20%5b..%5d",
                // symbolic links inside the folder
                "/view?filename=link.txt&type=input",
                "/view?filename=link.txt%20%5Binput%5D",
                "/view?filename=link.png&type=input&preview=jpeg;90",
                "/view?filename=link.png&type=input&channel=a",
                "/view?filename=secret.txt&type=input&subfolder=linkdir",
                "/view?filename=secret.txt&subfolder=linkdir",
                "/view?filename=secret.png&subfolder=linkdir&channel=rgb",
                // the subfolder
                "/view?filename=secret.txt&subfolder=..",
                "/view?filename=secret.txt&subfolder=../secret",
                "/view?filename=secret.txt&subfolder=..%2fsecret",
                "/view?filename=secret.txt&subfolder=%2e%2e%2fsecret",
                "/view?filename=secret.txt&subfolder=%252e%252e%252fsecret",
                "/view?filename=secret.txt&subfolder=a/../../secret",
                "/view?filename=secret.txt&subfolder=....//secret",
                "/view?filename=secret.txt&subfolder=..%5csecret",
                "/view?filename=secret.txt&subfolder=" + absDir,
                "/view?filename=secret.txt&subfolder=/",
                "/view?filename=passwd&subfolder=/etc",
                "/view?filename=secret.txt&subfolder=C:%5c",
                "/view?filename=secret.txt&subfolder=%5c%5cserver%5cshare",
                "/view?filename=secret.txt&subfolder=secret%00",
                "/view?filename=secret.txt&subfolder=%ef%bc%8e%ef%bc%8e",
                "/view?filename=secret.txt&subfolder=%c0%ae%c0%ae",
                // the type
                "/view?filename=secret.txt&type=..",
                "/view?filename=secret.txt&type=../secret",
                "/view?filename=secret.txt&type=output/..",
                // the path itself
                "/view/../secret.txt",
                "/view/..%2f..%2fsecret.txt",
                "/%2e%2e/secret.txt",
                "/api/view/%2e%2e%2fsecret.txt?filename=secret.txt",
                "/api/view?filename=..%2F..%2Fsecret.txt");
        assertTrue(attacks.size() >= 30);
        List<String> failures = new ArrayList<>();
        for (String target : attacks) {
            RawResponse r = rawGet(target);
            if (r.status != 400 && r.status != 403 && r.status != 404) {
                failures.add(target + " -> " + r.status + " " + r.body());
            }
            if (r.body().contains(SECRET)) {
                failures.add(target + " leaked the secret");
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        // the folder itself still works
        assertEquals("fine", rawGet("/view?filename=ok.txt&type=input").body());
        assertNothingWrittenOutside();
        assertServerAlive();
    }

    @Test
    void uploadsRefuseEveryTraversalInTheFileName() throws Exception {
        byte[] img = FilesContractTest.png(FilesContractTest.gradient(4, 4));
        List<String> names = List.of("../evil.png", "../../evil.png", "../secret/evil.png", "..\\\\evil.png",
                "..\\evil.png", "..%2fevil.png", "/tmp/evil.png", "/etc/passwd", outside.resolve("evil.png").toString(),
                "C:\\\\evil.png", "C:evil.png", "\\\\\\\\server\\\\share\\\\evil.png", "evil\u0000.png", "..", ".",
                "...", "....//evil.png", "\uff0e\uff0e\uff0fevil.png", "\uff0e\uff0e", "sub/evil.png", "a\u0001b.png",
                "evil.png\r\nX-Injected: 1", "");
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            check(failures, "filename " + printable(name), new Multipart().file("image", name, img), "/upload/image");
        }
        check(failures, "filename*", new Multipart().part("Content-Disposition: form-data; name=\"image\"; "
                + "filename*=UTF-8''..%2F..%2Fevil.png\r\nContent-Type: image/png", img), "/upload/image");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertNothingWrittenOutside();
        assertServerAlive();
    }

    @Test
    void uploadsRefuseEveryTraversalInTheFields() throws Exception {
        byte[] img = FilesContractTest.png(FilesContractTest.gradient(4, 4));
        List<String> subfolders = List.of("..", "../..", "../secret", "..\\secret", "a/../../secret", "....//secret",
                outside.toString(), "/", "/tmp", "C:\\", "C:/x", "\\\\server\\share", "linkdir", "linkdir/sub",
                "sub/../linkdir", "ok.txt", "secret\u0000", "\uff0e\uff0e", "....", "a/../..");
        List<String> failures = new ArrayList<>();
        for (String subfolder : subfolders) {
            for (String route : List.of("/upload/image", "/upload/mask")) {
                Multipart m = new Multipart().file("image", "fine.png", img).field("subfolder", subfolder)
                        .field("original_ref", "{\"filename\": \"fine.png\"}");
                check(failures, route + " subfolder " + printable(subfolder), m, route);
            }
        }
        for (String type : List.of("..", "../secret", "input/..", "output/../..", "/")) {
            check(failures, "type " + type, new Multipart().file("image", "fine.png", img).field("type", type),
                    "/upload/image");
        }
        List<String> refs = List.of("{\"filename\": \"../secret.txt\"}", "{\"filename\": \"../secret/secret.png\"}",
                "{\"filename\": \"secret.png\", \"subfolder\": \"..\"}",
                "{\"filename\": \"secret.png\", \"subfolder\": \"../secret\"}",
                "{\"filename\": \"secret.png\", \"subfolder\": \"linkdir\", \"type\": \"input\"}",
                "{\"filename\": \"link.png\", \"type\": \"input\"}",
                "{\"filename\": \"link.png [input]\"}",
                "{\"filename\": \"/etc/passwd\"}",
                "{\"filename\": \"" + outside.resolve("secret.png") + "\"}",
                "{\"filename\": \"secret.png\", \"type\": \"../secret\"}",
                "{\"filename\": \"..\\\\secret.png\"}",
                "{\"filename\": \"\\uff0e\\uff0e\\uff0fsecret.png\"}");
        for (String ref : refs) {
            check(failures, "original_ref " + ref, new Multipart().file("image", "fine.png", img)
                    .field("original_ref", ref), "/upload/mask");
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertFalse(Files.exists(input.resolve("fine.png")), "no refused upload was saved");
        assertNothingWrittenOutside();
        assertServerAlive();
    }

    @Test
    void namesThatOnlyLookOddStayLiteralAndInside() throws Exception {
        byte[] img = FilesContractTest.png(FilesContractTest.gradient(4, 4));
        // percent signs are not decoded again: these are plain names inside input/
        assertEquals("%2e%2e%2fevil.png", name(new Multipart().file("image", "%2e%2e%2fevil.png", img)));
        assertTrue(Files.isRegularFile(input.resolve("%2e%2e%2fevil.png")));
        new Multipart().file("image", "x.png", img).field("subfolder", "%2e%2e").post(server.http,
                server.base + "/upload/image");
        assertTrue(Files.isRegularFile(input.resolve("%2e%2e/x.png")));
        // an upload onto a link's name replaces or avoids the link; it never writes through it
        assertEquals("victim (1).txt", name(new Multipart().file("image", "victim.txt", img)));
        assertEquals("victim.txt", name(new Multipart().file("image", "victim.txt", img).field("overwrite", "1")));
        assertFalse(Files.isSymbolicLink(input.resolve("victim.txt")));
        assertArrayEquals(img, Files.readAllBytes(input.resolve("victim.txt")));
        assertEquals(SECRET, Files.readString(outside.resolve("secret.txt")));
        assertNothingWrittenOutside();
        assertServerAlive();
    }

    // ---- helpers ----

    private void check(List<String> failures, String what, Multipart m, String route) throws Exception {
        HttpResponse<String> r;
        try {
            r = m.post(server.http, server.base + route);
        } catch (java.io.IOException e) {
            failures.add(what + " -> no answer: " + e);
            return;
        }
        int s = r.statusCode();
        if (s != 400 && s != 403 && s != 404) {
            failures.add(what + " -> " + s + " " + r.body());
        }
        if (r.body().contains(SECRET)) {
            failures.add(what + " leaked the secret");
        }
        if (s != 413 && !r.body().isEmpty() && s >= 400) {
            JsonNode body = TestServer.JSON.readTree(r.body());
            if (!body.path("error").isTextual()) {
                failures.add(what + " -> no {\"error\": ...} body: " + r.body());
            }
        }
    }

    private String name(Multipart m) throws Exception {
        HttpResponse<String> r = m.post(server.http, server.base + "/upload/image");
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.JSON.readTree(r.body()).get("name").asText();
    }

    private void assertServerAlive() throws Exception {
        HttpResponse<String> q = server.get("/queue");
        assertEquals(200, q.statusCode());
        JsonNode body = TestServer.JSON.readTree(q.body());
        assertTrue(body.get("queue_running").isArray() && body.get("queue_pending").isArray(), q.body());
    }

    private void assertNothingWrittenOutside() throws Exception {
        assertEquals(outsideBefore, snapshotOutsideDataFolders(), "files outside the data folders changed");
    }

    /** Every file under the test folder but outside output/, input/, temp/ (and the server's own db and cache). */
    private Map<String, String> snapshotOutsideDataFolders() throws Exception {
        Map<String, String> files = new TreeMap<>();
        List<Path> skip = List.of(server.folders.output(), server.folders.input(), server.folders.temp(),
                dir.resolve("cache"));
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (skip.stream().anyMatch(p::startsWith) || p.getFileName().toString().startsWith("jobs.db")) {
                    continue;
                }
                files.put(dir.relativize(p).toString(), Files.isRegularFile(p)
                        ? java.util.HexFormat.of().formatHex(Files.readAllBytes(p)) : "dir");
            }
        }
        // and /tmp, where an absolute name would land
        files.put("/tmp/evil.png", String.valueOf(Files.exists(Path.of("/tmp/evil.png"))));
        return files;
    }

    /** A raw HTTP/1.1 GET with {@code target} sent byte for byte. */
    private RawResponse rawGet(String target) throws Exception {
        int port = URI.create(server.base).getPort();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("HTTP/1.1 "), target + " -> " + text);
            int status = Integer.parseInt(text.substring(9, 12));
            int split = text.indexOf("\r\n\r\n");
            return new RawResponse(status, split < 0 ? "" : text.substring(split + 4));
        }
    }

    private record RawResponse(int status, String body) {
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().forEach(c -> out.append(c < 0x20 ? String.format("\\x%02x", c) : String.valueOf((char) c)));
        return out.toString();
    }
}
