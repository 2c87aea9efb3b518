package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.node.ModelLibrary;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser editor (the easel-editor jar, built by npm in the reactor) is served at {@code /} next to the API, and
 * in token mode its files need no token while the API still does.
 */
class EditorServingTest {

    private static final Pattern SCRIPT = Pattern.compile("src=\"\\./(assets/[^\"]+\\.js)\"");

    @TempDir
    Path dir;

    @Test
    void thePageAndItsBundleAreServedBesideTheApi() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            HttpResponse<String> page = server.get("/");
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page.headers()
                    .toString());
            assertTrue(page.body().contains("<title>Easel</title>") && page.body().contains("id=\"queue-button\""));
            HttpResponse<String> script = server.get("/" + bundle(page.body()));
            assertEquals(200, script.statusCode());
            assertTrue(script.headers().firstValue("Content-Type").orElse("").contains("javascript"));
            assertTrue(script.body().length() > 50_000, "the bundle holds litegraph and the editor");
            assertEquals(200, server.get("/object_info").statusCode(), "the API is not shadowed");
            assertEquals(404, server.get("/assets/nothing-here.js").statusCode());
        }
    }

    @Test
    void withATokenTheEditorFilesArePublicAndTheApiIsNot() throws Exception {
        try (TestServer server = TestServer.start(dir, ModelLibrary.EMPTY, "s3cret")) {
            HttpResponse<String> page = server.get("/?token=s3cret");
            assertEquals(200, page.statusCode());
            assertEquals(200, server.get("/" + bundle(page.body())).statusCode(), "the page's script loads");
            assertEquals(200, server.get("/").statusCode());
            assertEquals(401, server.get("/object_info").statusCode());
            assertEquals(401, server.get("/history").statusCode());
            assertEquals(200, server.get("/object_info?token=s3cret").statusCode());
        }
    }

    private static String bundle(String html) {
        Matcher m = SCRIPT.matcher(html);
        assertTrue(m.find(), "the page loads Vite's bundle: " + html);
        return m.group(1);
    }
}
