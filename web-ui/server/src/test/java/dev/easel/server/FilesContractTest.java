package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * {@code /view}, {@code /upload/image} and {@code /upload/mask} against the real server, checked on real PNG pixels:
 * raw bytes and headers, annotated names, subfolders, previews and channels, upload dedupe and renaming, overwrite,
 * concurrent uploads, mask uploads that keep the original's text chunks, and the error statuses.
 */
class FilesContractTest {

    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ---- /view ----

    @Test
    void rawFileWithItsTypeAndHeadersUnderBothPrefixes() throws Exception {
        byte[] png = png(gradient(16, 8));
        write(server.folders.output().resolve("a.png"), png);
        for (String prefix : List.of("", "/api")) {
            HttpResponse<byte[]> r = server.getBytes(prefix + "/view?filename=a.png");
            assertEquals(200, r.statusCode());
            assertArrayEquals(png, r.body());
            assertEquals("image/png", header(r, "Content-Type"));
            assertEquals("filename=\"a.png\"", header(r, "Content-Disposition"));
            assertEquals("nosniff", header(r, "X-Content-Type-Options"));
            assertEquals(String.valueOf(png.length), header(r, "Content-Length"));
        }
    }

    @Test
    void typeSubfolderAndAnnotatedNames() throws Exception {
        write(server.folders.output().resolve("x.png"), bytes("out"));
        write(server.folders.input().resolve("x.png"), bytes("in"));
        write(server.folders.temp().resolve("x.png"), bytes("tmp"));
        write(server.folders.input().resolve("sub/deeper/x.png"), bytes("deep"));
        assertEquals("out", server.get("/view?filename=x.png").body());
        assertEquals("out", server.get("/view?filename=x.png&type=output").body());
        assertEquals("in", server.get("/view?filename=x.png&type=input").body());
        assertEquals("tmp", server.get("/view?filename=x.png&type=temp").body());
        assertEquals("deep", server.get("/view?filename=x.png&type=input&subfolder=sub/deeper").body());
        assertEquals("deep", server.get("/view?filename=x.png&type=input&subfolder=sub%2Fdeeper%2F").body());
        // the suffix wins over type=
        assertEquals("in", server.get("/view?filename=x.png%20%5Binput%5D&type=output").body());
        assertEquals("tmp", server.get("/view?filename=x.png%20%5Btemp%5D").body());
        assertEquals("deep", server.get("/view?filename=x.png%20%5Binput%5D&subfolder=sub/deeper").body());
    }

    @Test
    void errorsAreJsonWithTheParameterAndTheRightStatus() throws Exception {
        write(server.folders.output().resolve("x.png"), bytes("out"));
        assertError(server.get("/view?filename=x.png&type=models"), 400, "type");
        assertError(server.get("/view"), 400, "filename");
        assertError(server.get("/view?filename="), 400, "filename");
        assertError(server.get("/view?filename=nope.png"), 404, "filename");
        assertError(server.get("/view?filename=x.png&subfolder=nope"), 404, "filename");
        assertError(server.get("/view?filename=x.png&channel=bgr"), 400, "channel");
        Files.createDirectories(server.folders.output().resolve("folder"));
        assertError(server.get("/view?filename=folder"), 404, "filename");
        write(server.folders.output().resolve("notes.png"), bytes("not an image"));
        assertError(server.get("/view?filename=notes.png&preview=webp;90"), 400, "image");
        assertError(server.get("/view?filename=notes.png&channel=a"), 400, "image");
    }

    @Test
    void activeContentIsOnlyADownloadAndQuotesAreEscaped() throws Exception {
        write(server.folders.output().resolve("page.html"), bytes("<script>alert(1)</script>"));
        write(server.folders.output().resolve("pic.svg"), bytes("<svg onload='alert(1)'/>"));
        write(server.folders.output().resolve("a\"b.txt"), bytes("q"));
        for (String name : List.of("page.html", "pic.svg")) {
            HttpResponse<String> r = server.get("/view?filename=" + name);
            assertEquals(200, r.statusCode());
            assertEquals("application/octet-stream", header(r, "Content-Type"));
            assertEquals("attachment; filename=\"" + name + "\"", header(r, "Content-Disposition"));
            assertEquals("nosniff", header(r, "X-Content-Type-Options"));
        }
        HttpResponse<String> r = server.get("/view?filename=a%22b.txt");
        assertEquals("q", r.body());
        assertEquals("filename=\"a\\\"b.txt\"", header(r, "Content-Disposition"));
        assertEquals("text/plain", header(r, "Content-Type"));
    }

    @Test
    void largeFilesAreStreamedWhole() throws Exception {
        byte[] big = new byte[24 << 20];
        new Random(7).nextBytes(big);
        write(server.folders.output().resolve("big.bin"), big);
        HttpResponse<byte[]> r = server.getBytes("/view?filename=big.bin");
        assertEquals(200, r.statusCode());
        assertEquals("application/octet-stream", header(r, "Content-Type"));
        assertArrayEquals(big, r.body());
    }

    @Test
    void channelRgbDropsAlphaWithoutCompositing() throws Exception {
        BufferedImage source = gradient(20, 10);
        write(server.folders.output().resolve("g.png"), png(source));
        HttpResponse<byte[]> r = server.getBytes("/view?filename=g.png&channel=rgb");
        assertEquals(200, r.statusCode());
        assertEquals("image/png", header(r, "Content-Type"));
        assertEquals("filename=\"g.png\"", header(r, "Content-Disposition"));
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertFalse(back.getColorModel().hasAlpha());
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 20; x++) {
                assertEquals(source.getRGB(x, y) & 0xffffff, back.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void channelAIsTheAlphaOfABlackRgbaImage() throws Exception {
        BufferedImage source = gradient(20, 10);
        write(server.folders.output().resolve("g.png"), png(source));
        BufferedImage back = image(server.getBytes("/view?filename=g.png&channel=a"), "image/png");
        assertTrue(back.getColorModel().hasAlpha());
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 20; x++) {
                assertEquals(source.getRGB(x, y) & 0xff000000, back.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
        // an image without alpha is fully opaque
        BufferedImage rgb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(1, 1, 0x123456);
        write(server.folders.output().resolve("rgb.png"), png(rgb));
        BufferedImage opaque = image(server.getBytes("/view?filename=rgb.png&channel=a"), "image/png");
        assertEquals(0xff000000, opaque.getRGB(1, 1));
    }

    @Test
    void previewsReEncodeAtTheAskedQuality() throws Exception {
        BufferedImage source = noise(128, 96);
        write(server.folders.output().resolve("n.png"), png(source));
        HttpResponse<byte[]> jpeg = server.getBytes("/view?filename=n.png&preview=jpeg;90");
        BufferedImage j = image(jpeg, "image/jpeg");
        assertEquals(128, j.getWidth());
        assertEquals(96, j.getHeight());
        assertEquals("filename=\"n.png\"", header(jpeg, "Content-Disposition"));
        int low = server.getBytes("/view?filename=n.png&preview=jpeg;10").body().length;
        assertTrue(low < jpeg.body().length / 2, low + " vs " + jpeg.body().length);

        HttpResponse<byte[]> webp = server.getBytes("/view?filename=n.png&preview=webp;90");
        BufferedImage w = image(webp, "image/webp");
        assertEquals("RIFF", new String(webp.body(), 0, 4, "ISO-8859-1"));
        assertEquals("WEBP", new String(webp.body(), 8, 4, "ISO-8859-1"));
        assertEquals(128, w.getWidth());
        int webpLow = server.getBytes("/view?filename=n.png&preview=webp;10").body().length;
        assertTrue(webpLow < webp.body().length / 2, webpLow + " vs " + webp.body().length);
        // close to the source at high quality
        assertTrue(meanError(source, w) < 8, "webp error " + meanError(source, w));
        assertTrue(meanError(source, j) < 8, "jpeg error " + meanError(source, j));
        // an unknown format, or an alpha channel, gives webp; the quality defaults to 90
        assertEquals("image/webp", header(server.getBytes("/view?filename=n.png&preview=gif"), "Content-Type"));
        assertEquals("image/webp",
                header(server.getBytes("/view?filename=n.png&preview=jpeg;80&channel=rgba"), "Content-Type"));
    }

    @Test
    void webpPreviewKeepsAlphaAndJpegDropsIt() throws Exception {
        BufferedImage source = new BufferedImage(32, 32, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                source.setRGB(x, y, (x < 16 ? 0x00 : 0xff) << 24 | 0x3080c0);
            }
        }
        write(server.folders.output().resolve("half.png"), png(source));
        BufferedImage w = image(server.getBytes("/view?filename=half.png&preview=webp;95"), "image/webp");
        assertTrue(w.getColorModel().hasAlpha());
        assertTrue((w.getRGB(4, 4) >>> 24) < 10 && (w.getRGB(28, 4) >>> 24) > 245);
        BufferedImage rgb = image(server.getBytes("/view?filename=half.png&preview=webp;95&channel=rgb"),
                "image/webp");
        assertTrue((rgb.getRGB(4, 4) >>> 24) > 245, "channel=rgb previews are opaque");
        BufferedImage j = image(server.getBytes("/view?filename=half.png&preview=jpeg;95"), "image/jpeg");
        assertFalse(j.getColorModel().hasAlpha());
        // alpha dropped, not composited: the transparent half keeps its colour
        assertTrue(Math.abs(((j.getRGB(4, 4) >> 8) & 0xff) - 0x80) < 12);
    }

    // ---- /upload/image ----

    @Test
    void uploadSavesRenamesDedupesAndOverwrites() throws Exception {
        byte[] cat = png(gradient(8, 8));
        byte[] other = png(noise(8, 8));
        byte[] third = png(noise(9, 9));
        assertUpload(upload(new Multipart().file("image", "cat.png", cat)), "cat.png", "", "input");
        assertArrayEquals(cat, Files.readAllBytes(server.folders.input().resolve("cat.png")));
        // same bytes again: the existing name, no new file
        assertUpload(upload(new Multipart().file("image", "cat.png", cat)), "cat.png", "", "input");
        assertUpload(upload(new Multipart().file("image", "cat.png", other)), "cat (1).png", "", "input");
        assertUpload(upload(new Multipart().file("image", "cat.png", third)), "cat (2).png", "", "input");
        assertUpload(upload(new Multipart().file("image", "cat.png", other)), "cat (1).png", "", "input");
        assertEquals(Set.of("cat.png", "cat (1).png", "cat (2).png"), names(server.folders.input()));
        // overwrite replaces in place
        assertUpload(upload(new Multipart().file("image", "cat.png", third).field("overwrite", "true")), "cat.png", "",
                "input");
        assertArrayEquals(third, Files.readAllBytes(server.folders.input().resolve("cat.png")));
        assertUpload(upload(new Multipart().file("image", "cat.png", cat).field("overwrite", "1")), "cat.png", "",
                "input");
        assertArrayEquals(cat, Files.readAllBytes(server.folders.input().resolve("cat.png")));
        // anything else is not overwrite
        assertUpload(upload(new Multipart().file("image", "cat.png", third).field("overwrite", "yes")),
                "cat (2).png", "", "input");
        assertEquals(Set.of("cat.png", "cat (1).png", "cat (2).png"), names(server.folders.input()));
        // no name without an extension or with several dots is mangled
        assertUpload(upload(new Multipart().file("image", "noext", cat)), "noext", "", "input");
        assertUpload(upload(new Multipart().file("image", "noext", other)), "noext (1)", "", "input");
        assertUpload(upload(new Multipart().file("image", "a.tar.gz", cat)), "a.tar.gz", "", "input");
        assertUpload(upload(new Multipart().file("image", "a.tar.gz", other)), "a.tar (1).gz", "", "input");
        // what was uploaded can be viewed
        assertArrayEquals(cat, server.getBytes("/view?filename=cat.png&type=input").body());
    }

    @Test
    void uploadToTypesAndSubfoldersUnderBothPrefixes() throws Exception {
        byte[] img = png(gradient(5, 5));
        assertUpload(upload("/api/upload/image", new Multipart().file("image", "t.png", img).field("type", "temp")
                .field("subfolder", "a/b")), "t.png", "a/b", "temp");
        assertArrayEquals(img, Files.readAllBytes(server.folders.temp().resolve("a/b/t.png")));
        assertUpload(upload(new Multipart().file("image", "o.png", img).field("type", "output")), "o.png", "",
                "output");
        assertTrue(Files.exists(server.folders.output().resolve("o.png")));
        assertArrayEquals(img, server.getBytes("/view?filename=t.png&type=temp&subfolder=a/b").body());
        assertError(upload(new Multipart().file("image", "t.png", img).field("type", "models")), 400, "type");
        // no temporary files are left behind
        try (Stream<Path> all = Files.walk(dir.resolve("temp"))) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().endsWith(".part")));
        }
    }

    @Test
    void uploadErrors() throws Exception {
        HttpResponse<String> noImage = upload(new Multipart().field("type", "input"));
        assertError(noImage, 400, "'image'");
        HttpResponse<String> fieldNotFile = upload(new Multipart().field("image", "just text"));
        assertError(fieldNotFile, 400, "'image'");
        assertError(server.post("/upload/image", "{\"image\": \"x\"}"), 400, "multipart");
        HttpResponse<String> broken = server.http.send(HttpRequest.newBuilder(URI.create(server.base
                + "/upload/image")).header("Content-Type", "multipart/form-data; boundary=zzz")
                .POST(HttpRequest.BodyPublishers.ofString("--zzz\r\nContent-Disposition: form-data; name=\"image\"; "
                        + "filename=\"x.png\"\r\n\r\nabc")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(broken.statusCode() == 400, broken.statusCode() + " " + broken.body());
        assertEquals(200, server.get("/queue").statusCode());
    }

    @Test
    void oversizedUploadsAre413() throws Exception {
        long size = EaselServer.MAX_BODY_BYTES + 1024;
        byte[] chunk = new byte[1 << 20];
        byte[] prefix = ("--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"huge.png\"\r\n\r\n")
                .getBytes("UTF-8");
        // with a Content-Length: refused from the header, before the body is sent
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", URI.create(server.base).getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /upload/image HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes("UTF-8"));
            socket.getOutputStream().write(prefix);
            socket.getOutputStream().flush();
            String reply = new String(socket.getInputStream().readNBytes(400), "UTF-8");
            assertTrue(reply.startsWith("HTTP/1.1 413"), reply);
            assertTrue(reply.contains("limit of " + EaselServer.MAX_BODY_BYTES + " bytes"), reply);
        }
        // chunked, no Content-Length: refused while reading
        HttpResponse<String> chunked = server.http.send(HttpRequest.newBuilder(URI.create(server.base
                + "/upload/image")).header("Content-Type", "multipart/form-data; boundary=b")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new RepeatingStream(prefix, chunk, size)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertError(chunked, 413, "limit");
        assertTrue(names(server.folders.input()).isEmpty(), "nothing saved: " + names(server.folders.input()));
        assertEquals(200, server.get("/queue").statusCode());
    }

    @Test
    void concurrentUploadsUnderOneNameNeverClobber() throws Exception {
        int n = 8;
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            contents.add(png(noise(16 + i, 16)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
            for (byte[] c : contents) {
                calls.add(() -> upload(new Multipart().file("image", "race.png", c)));
            }
            Set<String> answered = new HashSet<>();
            for (Future<HttpResponse<String>> f : pool.invokeAll(calls)) {
                assertEquals(200, f.get().statusCode(), f.get().body());
                answered.add(TestServer.JSON.readTree(f.get().body()).get("name").asText());
            }
            assertEquals(n, answered.size(), "each upload got its own name: " + answered);
            assertEquals(answered, names(server.folders.input()));
            Set<String> onDisk = new HashSet<>();
            for (String name : answered) {
                onDisk.add(java.util.HexFormat.of().formatHex(Files.readAllBytes(server.folders.input()
                        .resolve(name))));
            }
            Set<String> sent = new HashSet<>();
            contents.forEach(c -> sent.add(java.util.HexFormat.of().formatHex(c)));
            assertEquals(sent, onDisk, "every upload's bytes are on disk, none clobbered");

            // the same bytes uploaded concurrently end as one file
            byte[] same = png(gradient(30, 30));
            List<Callable<HttpResponse<String>>> sameCalls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sameCalls.add(() -> upload(new Multipart().file("image", "twin.png", same)));
            }
            for (Future<HttpResponse<String>> f : pool.invokeAll(sameCalls)) {
                assertUpload(f.get(), "twin.png", "", "input");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- /upload/mask ----

    @Test
    void maskUploadReplacesAlphaAndKeepsTextChunks() throws Exception {
        BufferedImage original = gradient(24, 12);
        Map<String, String> text = new LinkedHashMap<>();
        text.put("prompt", "{\"1\": {\"class_type\": \"KSampler\"}}");
        write(server.folders.output().resolve("sub/orig.png"), pngWithText(original, text,
                Map.of("workflow", "{\"title\": \"caf\u00e9 \u732b\"}")));
        BufferedImage mask = new BufferedImage(24, 12, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 24; x++) {
                mask.setRGB(x, y, ((x * 10 + y) & 0xff) << 24 | 0xffffff);
            }
        }
        HttpResponse<String> r = upload("/upload/mask", new Multipart()
                .file("image", "clipspace-mask.png", png(mask))
                .field("original_ref", "{\"filename\": \"orig.png\", \"subfolder\": \"sub\", \"type\": \"output\"}")
                .field("type", "input"));
        assertUpload(r, "clipspace-mask.png", "", "input");
        Path saved = server.folders.input().resolve("clipspace-mask.png");
        BufferedImage back = ImageIO.read(saved.toFile());
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 24; x++) {
                int expected = (original.getRGB(x, y) & 0xffffff) | (mask.getRGB(x, y) & 0xff000000);
                assertEquals(expected, back.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
        Map<String, String> chunks = textChunks(saved);
        assertEquals(text.get("prompt"), chunks.get("tEXt:prompt"));
        assertEquals("{\"title\": \"caf\u00e9 \u732b\"}", chunks.get("iTXt:workflow"));

        // an annotated original name, the same mask again (dedupe), and a mask without alpha (fully opaque)
        assertUpload(upload("/upload/mask", new Multipart().file("image", "clipspace-mask.png", png(mask))
                .field("original_ref", "{\"filename\": \"orig.png [output]\", \"subfolder\": \"sub\"}")),
                "clipspace-mask.png", "", "input");
        BufferedImage opaqueMask = new BufferedImage(24, 12, BufferedImage.TYPE_INT_RGB);
        assertUpload(upload("/upload/mask", new Multipart().file("image", "clipspace-mask.png", png(opaqueMask))
                .field("original_ref", "{\"filename\": \"orig.png\", \"subfolder\": \"sub\"}")),
                "clipspace-mask (1).png", "", "input");
        BufferedImage opaque = ImageIO.read(server.folders.input().resolve("clipspace-mask (1).png").toFile());
        assertEquals(original.getRGB(3, 3) | 0xff000000, opaque.getRGB(3, 3));
    }

    @Test
    void maskUploadErrors() throws Exception {
        write(server.folders.output().resolve("orig.png"), png(gradient(8, 8)));
        byte[] mask = png(gradient(8, 8));
        assertError(maskWith(mask, null), 400, "original_ref");
        assertError(maskWith(mask, "not json"), 400, "original_ref");
        assertError(maskWith(mask, "[1]"), 400, "original_ref");
        assertError(maskWith(mask, "{\"subfolder\": \"\"}"), 400, "original_ref");
        assertError(maskWith(mask, "{\"filename\": \"missing.png\"}"), 404, "original_ref.filename");
        assertError(maskWith(mask, "{\"filename\": \"orig.png\", \"type\": \"input\"}"), 404, "original_ref");
        assertError(maskWith(mask, "{\"filename\": \"orig.png\", \"type\": \"nope\"}"), 400, "original_ref.type");
        assertError(maskWith(png(gradient(9, 8)), "{\"filename\": \"orig.png\"}"), 400, "9x8");
        assertError(maskWith(bytes("not an image"), "{\"filename\": \"orig.png\"}"), 400, "mask");
        assertTrue(names(server.folders.input()).isEmpty(), "nothing saved: " + names(server.folders.input()));
    }

    // ---- helpers ----

    private HttpResponse<String> maskWith(byte[] mask, String ref) throws Exception {
        Multipart m = new Multipart().file("image", "m.png", mask);
        if (ref != null) {
            m.field("original_ref", ref);
        }
        return upload("/upload/mask", m);
    }

    private HttpResponse<String> upload(Multipart m) throws Exception {
        return upload("/upload/image", m);
    }

    private HttpResponse<String> upload(String path, Multipart m) throws Exception {
        return m.post(server.http, server.base + path);
    }

    private static void assertUpload(HttpResponse<String> r, String name, String subfolder, String type)
            throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = TestServer.JSON.readTree(r.body());
        assertEquals(name, body.get("name").asText(), r.body());
        assertEquals(subfolder, body.get("subfolder").asText(), r.body());
        assertEquals(type, body.get("type").asText(), r.body());
    }

    static void assertError(HttpResponse<String> r, int status, String mentions) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = TestServer.JSON.readTree(r.body());
        assertTrue(body.get("error").isTextual(), r.body());
        assertTrue(body.get("error").asText().contains(mentions), "'" + mentions + "' in " + r.body());
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    private static BufferedImage image(HttpResponse<byte[]> r, String contentType) throws Exception {
        assertEquals(200, r.statusCode());
        assertEquals(contentType, header(r, "Content-Type"));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertNotNull(image, "decodes as an image");
        return image;
    }

    private static Set<String> names(Path folder) throws Exception {
        if (!Files.exists(folder)) {
            return Set.of();
        }
        try (Stream<Path> list = Files.list(folder)) {
            Set<String> names = new HashSet<>();
            list.filter(Files::isRegularFile).forEach(p -> names.add(p.getFileName().toString()));
            return names;
        }
    }

    private static void write(Path file, byte[] content) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Colour and alpha that change across the image, with every alpha level partly transparent somewhere. */
    static BufferedImage gradient(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int a = (x * 255 / Math.max(1, w - 1)) & 0xff;
                image.setRGB(x, y, a << 24 | (x * 13 & 0xff) << 16 | (y * 29 & 0xff) << 8 | ((x + y) * 7 & 0xff));
            }
        }
        return image;
    }

    /** Smooth opaque content with some detail, so quality settles size. */
    private static BufferedImage noise(int w, int h) {
        Random random = new Random(w * 31L + h);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (int) (128 + 100 * Math.sin(x / 7.0)) + random.nextInt(8);
                int g = (int) (128 + 100 * Math.cos(y / 5.0)) + random.nextInt(8);
                int b = (int) (128 + 60 * Math.sin((x + y) / 9.0));
                image.setRGB(x, y, 0xff000000 | Math.min(255, r) << 16 | Math.min(255, g) << 8 | b);
            }
        }
        return image;
    }

    private static double meanError(BufferedImage a, BufferedImage b) {
        long sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    sum += Math.abs((p >> s & 0xff) - (q >> s & 0xff));
                }
            }
        }
        return sum / (3.0 * a.getWidth() * a.getHeight());
    }

    static byte[] png(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, "png", out));
        return out.toByteArray();
    }

    /** A PNG with tEXt chunks ({@code latin}) and iTXt chunks ({@code unicode}), written by the JDK. */
    private static byte[] pngWithText(BufferedImage image, Map<String, String> latin, Map<String, String> unicode)
            throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
        IIOMetadataNode root = new IIOMetadataNode("javax_imageio_png_1.0");
        IIOMetadataNode tText = new IIOMetadataNode("tEXt");
        latin.forEach((k, v) -> {
            IIOMetadataNode e = new IIOMetadataNode("tEXtEntry");
            e.setAttribute("keyword", k);
            e.setAttribute("value", v);
            tText.appendChild(e);
        });
        IIOMetadataNode iText = new IIOMetadataNode("iTXt");
        unicode.forEach((k, v) -> {
            IIOMetadataNode e = new IIOMetadataNode("iTXtEntry");
            e.setAttribute("keyword", k);
            e.setAttribute("compressionFlag", "FALSE");
            e.setAttribute("compressionMethod", "0");
            e.setAttribute("languageTag", "");
            e.setAttribute("translatedKeyword", "");
            e.setAttribute("text", v);
            iText.appendChild(e);
        });
        root.appendChild(tText);
        root.appendChild(iText);
        meta.mergeTree("javax_imageio_png_1.0", root);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(image, null, meta), null);
        }
        writer.dispose();
        return out.toByteArray();
    }

    /** {@code "tEXt:key" -> value} and {@code "iTXt:key" -> text} as the JDK's PNG reader sees them. */
    private static Map<String, String> textChunks(Path png) throws Exception {
        Map<String, String> found = new LinkedHashMap<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            Node root = reader.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
            for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                for (Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
                    NamedNodeMap attrs = e.getAttributes();
                    if (n.getNodeName().equals("tEXt")) {
                        found.put("tEXt:" + attrs.getNamedItem("keyword").getNodeValue(),
                                attrs.getNamedItem("value").getNodeValue());
                    } else if (n.getNodeName().equals("iTXt")) {
                        found.put("iTXt:" + attrs.getNamedItem("keyword").getNodeValue(),
                                attrs.getNamedItem("text").getNodeValue());
                    }
                }
            }
            reader.dispose();
        }
        return found;
    }

    /** {@code prefix} then {@code chunk} repeated, {@code size} bytes in all, without holding them in memory. */
    private static final class RepeatingStream extends java.io.InputStream {
        private final byte[] prefix;
        private final byte[] chunk;
        private final long size;
        private long at;

        RepeatingStream(byte[] prefix, byte[] chunk, long size) {
            this.prefix = prefix;
            this.chunk = chunk;
            this.size = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - at);
            for (int i = 0; i < n; i++) {
                long p = at + i;
                b[off + i] = p < prefix.length ? prefix[(int) p] : chunk[(int) ((p - prefix.length) % chunk.length)];
            }
            at += n;
            return n;
        }
    }
}
