package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.node.ModelLibrary;
import dev.easel.server.RawHttp.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request-level security of the real server: browsers on other sites (and DNS-rebound names) cannot queue, read or
 * open sockets; the access token guards every route; oversized, malformed and hostile bodies get a clear 4xx, never a
 * 500, a hang or a broken server; and after all of it the server still runs a normal job.
 */
class HttpSecurityTest {

    private static final String GOOD = """
            {"1": {"class_type": "Const", "inputs": {"value": 5}},
             "2": {"class_type": "Show", "inputs": {"value": ["1", 0]}}}""";
    /** Replies may quote a 10 MB value back (an unknown class_type): read them without Jackson's 20 MB limit. */
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = ServerJson.mapper();
    private static final String GOOD_BODY = "{\"prompt\": " + GOOD + "}";

    @TempDir
    Path dir;
    private TestServer server;
    private RawHttp raw;
    private int port;

    private void start(String token) {
        server = TestServer.start(dir, ModelLibrary.EMPTY, token);
        port = URI.create(server.base).getPort();
        raw = new RawHttp(port);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String host() {
        return "127.0.0.1:" + port;
    }

    // ------------------------------------------------------------------------------------------------ cross-origin

    @Test
    void postsFromOtherOriginsAreRefusedAndQueueNothing() throws Exception {
        start(null);
        List<String> origins = List.of(
                "http://evil.example", "https://evil.example", "http://evil.example:" + port,
                "http://127.0.0.1:" + (port + 1), "https://127.0.0.1:" + (port + 1), "http://localhost:" + (port + 1),
                "http://127.0.0.1", "http://127.0.0.1.evil.com", "http://127.0.0.1.evil.com:" + port,
                "http://localhost@evil.com", "http://127.0.0.1:" + port + "@evil.com",
                "http://evil.com#@127.0.0.1:" + port, "null", "file://", "chrome-extension://abcdef",
                "not a url", "http://[::1]:" + (port + 1), "ftp://127.0.0.1:" + port);
        for (String path : List.of("/prompt", "/api/prompt", "/queue", "/interrupt", "/history")) {
            for (String origin : origins) {
                String body = path.endsWith("prompt") ? GOOD_BODY : "{\"clear\": true}";
                Response r = raw.request("POST", path, body, "Content-Type: application/json", "Origin: " + origin);
                assertEquals(403, r.status(), path + " from " + origin + ": " + r.body());
                assertTrue(errorOf(r).contains("rigin"), r.body());
            }
        }
        assertNothingQueued();
    }

    @Test
    void crossSiteFetchMetadataAndSimpleRequestsAreRefused() throws Exception {
        start(null);
        // Sec-Fetch-Site: cross-site alone (a browser that sends no Origin) is enough.
        Response r = raw.request("POST", "/prompt", GOOD_BODY, "Content-Type: application/json",
                "Sec-Fetch-Site: cross-site");
        assertEquals(403, r.status(), r.body());
        // The "simple" content types a page can POST without a CORS preflight.
        for (String type : List.of("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x")) {
            r = raw.request("POST", "/prompt", GOOD_BODY, "Content-Type: " + type, "Origin: http://evil.example");
            assertEquals(403, r.status(), type + ": " + r.body());
        }
        // A classic CSRF form: <form method=post enctype=text/plain> with a field named '{"prompt": ..., "x":"' and
        // the value '"}', which a browser posts as a JSON-looking body.
        String formBody = "{\"prompt\": " + GOOD + ", \"x\":\"=\"}";
        r = raw.request("POST", "/prompt", formBody, "Content-Type: text/plain", "Origin: http://evil.example",
                "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: navigate", "Sec-Fetch-Dest: document");
        assertEquals(403, r.status(), r.body());
        r = raw.request("POST", "/prompt", "prompt=" + GOOD, "Content-Type: application/x-www-form-urlencoded",
                "Origin: null", "Sec-Fetch-Site: cross-site");
        assertEquals(403, r.status(), r.body());
        // GETs leak data (history holds prompts) and are refused from other sites too.
        r = raw.request("GET", "/history", null, "Origin: http://evil.example");
        assertEquals(403, r.status(), r.body());
        r = raw.request("GET", "/queue", null, "Sec-Fetch-Site: cross-site");
        assertEquals(403, r.status(), r.body());
        assertNothingQueued();
    }

    @Test
    void dnsRebindingHostNamesAreRefusedWithoutAToken() throws Exception {
        start(null);
        // A page on evil.example whose name now resolves to 127.0.0.1: same-origin for the browser.
        for (String host : List.of("evil.example:" + port, "evil.example", "127.0.0.1.nip.io:" + port,
                "localhost.evil.example:" + port)) {
            String origin = "http://" + host;
            Response r = raw.request("POST", "/prompt", GOOD_BODY, "Host: " + host, "Origin: " + origin,
                    "Content-Type: application/json", "Sec-Fetch-Site: same-origin");
            assertEquals(403, r.status(), host + ": " + r.body());
            assertTrue(errorOf(r).contains("Host"), r.body());
            r = raw.request("GET", "/history", null, "Host: " + host);
            assertEquals(403, r.status(), host + ": " + r.body());
        }
        assertNothingQueued();
        // Loopback names and literal addresses are fine (a rebinding attack needs a DNS name).
        for (String host : List.of("localhost:" + port, "LOCALHOST:" + port, "127.0.0.1:" + port, "[::1]:" + port,
                "app.localhost:" + port)) {
            Response r = raw.request("GET", "/queue", null, "Host: " + host, "Origin: http://" + host,
                    "Sec-Fetch-Site: same-origin");
            assertEquals(200, r.status(), host + ": " + r.body());
        }
    }

    @Test
    void sameOriginPagesAndHeaderlessClientsAreAccepted() throws Exception {
        start(null);
        Response r = raw.request("POST", "/prompt", GOOD_BODY, "Content-Type: application/json",
                "Origin: http://" + host(), "Sec-Fetch-Site: same-origin", "Sec-Fetch-Mode: cors");
        assertEquals(200, r.status(), r.body());
        // curl -d and Python's urllib post JSON as application/x-www-form-urlencoded (ComfyUI's own API example
        // does): not a browser, so no Origin, and it must work.
        String other = GOOD_BODY.replace("5", "6");
        r = raw.request("POST", "/prompt", other, "Content-Type: application/x-www-form-urlencoded");
        assertEquals(200, r.status(), r.body());
        r = raw.request("POST", "/prompt", other.replace("6", "7"));
        assertEquals(200, r.status(), "no Content-Type at all: " + r.body());
        r = raw.request("POST", "/prompt", other.replace("6", "8"), "Sec-Fetch-Site: none");
        assertEquals(200, r.status(), "typed into the address bar / bookmark: " + r.body());
        awaitHistory(4);
    }

    @Test
    void webSocketUpgradesFromOtherOriginsAreRefused() throws Exception {
        start(null);
        for (String origin : List.of("http://evil.example", "null", "http://127.0.0.1:" + (port + 1))) {
            Response r = raw.send(upgrade("/ws?clientId=x", "Host: " + host(), "Origin: " + origin), null);
            assertEquals(403, r.status(), origin + ": " + r.body());
        }
        Response r = raw.send(upgrade("/ws?clientId=x", "Host: evil.example:" + port,
                "Origin: http://evil.example:" + port), null);
        assertEquals(403, r.status(), "rebinding: " + r.body());
        r = raw.send(upgrade("/api/ws?clientId=x", "Host: " + host(), "Sec-Fetch-Site: cross-site"), null);
        assertEquals(403, r.status(), r.body());
        assertEquals(101, raw.send(upgrade("/ws?clientId=x", "Host: " + host(), "Origin: http://" + host()), null)
                .status());
        assertEquals(101, raw.send(upgrade("/ws?clientId=y", "Host: " + host()), null).status());
    }

    private static String upgrade(String path, String... headers) {
        return "GET " + path + " HTTP/1.1\r\n" + String.join("\r\n", headers)
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13"
                + "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
    }

    // ------------------------------------------------------------------------------------------------ token mode

    @Test
    void tokenGuardsEveryRouteIncludingTheWebSocket() throws Exception {
        String token = "s3cret-Token-0123456789";
        start(token);
        List<String[]> routes = List.of(new String[] {"GET", "/prompt"}, new String[] {"POST", "/prompt"},
                new String[] {"GET", "/queue"}, new String[] {"POST", "/queue"}, new String[] {"POST", "/interrupt"},
                new String[] {"GET", "/history"}, new String[] {"GET", "/history/abc"},
                new String[] {"POST", "/history"}, new String[] {"GET", "/object_info"},
                new String[] {"GET", "/object_info/Const"}, new String[] {"GET", "/system_stats"},
                new String[] {"GET", "/features"}, new String[] {"GET", "/api/queue"},
                new String[] {"POST", "/api/prompt"}, new String[] {"GET", "/no/such/route"});
        List<String> wrong = List.of("", "Authorization: Bearer", "Authorization: Bearer wrong",
                "Authorization: Bearer " + token.substring(1), "Authorization: Bearer " + token + "x",
                "Authorization: Bearer " + token.toLowerCase(), "Authorization: Basic " + token,
                "Authorization: " + token, "Cookie: token=" + token, "X-Token: " + token);
        for (String[] route : routes) {
            String body = route[0].equals("GET") ? null : route[1].endsWith("prompt") ? GOOD_BODY : "{}";
            for (String header : wrong) {
                String[] headers = header.isEmpty() ? new String[0] : new String[] {header};
                Response r = raw.request(route[0], route[1], body, headers);
                assertEquals(401, r.status(), route[1] + " with '" + header + "': " + r.body());
                assertTrue(errorOf(r).contains("token"), r.body());
            }
            Response r = raw.request(route[0], route[1] + "?token=nope", body);
            assertEquals(401, r.status(), route[1] + "?token=nope");
            r = raw.request(route[0], route[1], body, "Authorization: Bearer " + token);
            assertNotEquals(401, r.status(), route[1] + ": " + r.body());
            assertNotEquals(403, r.status(), route[1] + ": " + r.body());
            r = raw.request(route[0], route[1] + "?token=" + token, body, "Authorization: bearer  " + token);
            assertNotEquals(401, r.status(), route[1]);
            r = raw.request(route[0], route[1] + "?token=" + token, body);
            assertNotEquals(401, r.status(), route[1] + "?token=: " + r.body());
        }
        for (String ws : List.of("/ws", "/api/ws")) {
            assertEquals(401, raw.send(upgrade(ws + "?clientId=x", "Host: " + host()), null).status());
            assertEquals(401, raw.send(upgrade(ws + "?clientId=x&token=wrong", "Host: " + host()), null).status());
            assertEquals(401, raw.send(upgrade(ws + "?clientId=x", "Host: " + host(),
                    "Authorization: Bearer wrong"), null).status());
            // Browsers cannot set headers on a WebSocket: the query parameter is their way.
            assertEquals(101, raw.send(upgrade(ws + "?clientId=x&token=" + token, "Host: " + host()), null)
                    .status());
            assertEquals(101, raw.send(upgrade(ws + "?clientId=x", "Host: " + host(),
                    "Authorization: Bearer " + token), null).status());
        }
        // With a token, any Host name is fine (a LAN name, a reverse proxy): the token stops a rebinding page.
        Response r = raw.request("GET", "/queue", null, "Host: easel.lan:" + port, "Authorization: Bearer " + token);
        assertEquals(200, r.status(), r.body());
        // A foreign Origin is still refused, token or not: a page must not ride on a token a user typed in.
        r = raw.request("POST", "/prompt", GOOD_BODY, "Origin: http://evil.example", "Authorization: Bearer " + token);
        assertEquals(403, r.status(), r.body());
    }

    // ------------------------------------------------------------------------------------------------ body size

    @Test
    void oversizedBodiesGet413AndTheServerStaysHealthy() throws Exception {
        start(null);
        long over = EaselServer.MAX_BODY_BYTES + 1;
        // An honest Content-Length above the limit: refused before anything is read.
        long t0 = System.nanoTime();
        Response r = raw.send("POST /prompt HTTP/1.1\r\nHost: " + host() + "\r\nContent-Type: application/json"
                + "\r\nContent-Length: " + over, null);
        assertEquals(413, r.status(), r.body());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "answered without waiting for the body");
        assertTrue(errorOf(r).contains(String.valueOf(EaselServer.MAX_BODY_BYTES)), r.body());
        r = raw.send("POST /prompt HTTP/1.1\r\nHost: " + host() + "\r\nContent-Length: 99999999999999999999", null);
        assertTrue(r.status() == 413 || r.status() == 400, r.status() + " " + r.body());
        // Chunked (no length at all): counted while it streams.
        r = raw.stream("/prompt", null, over + (1 << 16), (byte) ' ');
        assertTrue(r.status() == 413 || r.status() == -1, "chunked: " + r.status() + " " + r.body());
        // A Content-Length within the limit but a body that keeps going: the excess is a garbage next request.
        r = raw.stream("/queue", "10", 1 << 20, (byte) ' ');
        assertTrue(r.status() == 400 || r.status() == 200 || r.status() == -1, r.status() + " " + r.body());
        // A Content-Length larger than what is sent, then the client stops sending.
        r = raw.send("POST /history HTTP/1.1\r\nHost: " + host() + "\r\nContent-Length: 1000", "{}".getBytes(),
                true);
        assertTrue(r.status() == 400 || r.status() == -1 || r.status() == 408, r.status() + " " + r.body());
        assertHealthy();
    }

    // ------------------------------------------------------------------------------------------------ bad JSON

    @Test
    void malformedBodiesGetAClearJson400() throws Exception {
        start(null);
        String tenMegabytes = "\"" + "a".repeat(10 << 20) + "\"";
        Map<String, String> prompts = new LinkedHashMap<>();
        prompts.put("empty body", "");
        prompts.put("whitespace", "   ");
        prompts.put("truncated", GOOD_BODY.substring(0, GOOD_BODY.length() - 5));
        prompts.put("trailing garbage", GOOD_BODY + " garbage");
        prompts.put("a second document", GOOD_BODY + GOOD_BODY);
        prompts.put("NaN", "{\"prompt\": {\"1\": {\"class_type\": \"Const\", \"inputs\": {\"value\": NaN}}}}");
        prompts.put("comment", "{\"prompt\": " + GOOD + " /* why not */}");
        prompts.put("line comment", "// hi\n" + GOOD_BODY);
        prompts.put("single quotes", "{'prompt': {}}");
        prompts.put("unquoted key", "{prompt: " + GOOD + "}");
        prompts.put("duplicate key", "{\"prompt\": " + GOOD + ", \"prompt\": {}}");
        prompts.put("duplicate node id", "{\"prompt\": {\"1\": {\"class_type\": \"Const\", \"inputs\": {\"value\": 1}},"
                + " \"1\": {\"class_type\": \"Show\", \"inputs\": {\"value\": 2}}}}");
        prompts.put("a 10 MB string", tenMegabytes);
        prompts.put("a 10 MB class_type", "{\"prompt\": {\"1\": {\"class_type\": " + tenMegabytes + "}}}");
        prompts.put("body is a list", "[" + GOOD_BODY + "]");
        prompts.put("body is a number", "42");
        prompts.put("body is null", "null");
        prompts.put("no prompt", "{\"client_id\": \"x\"}");
        prompts.put("prompt is a list", "{\"prompt\": [" + GOOD + "]}");
        prompts.put("prompt is a string", "{\"prompt\": \"" + GOOD.replace("\"", "\\\"").replace("\n", " ") + "\"}");
        prompts.put("prompt is a number", "{\"prompt\": 3}");
        prompts.put("prompt is null", "{\"prompt\": null}");
        prompts.put("prompt is empty", "{\"prompt\": {}}");
        prompts.put("node is a string", "{\"prompt\": {\"1\": \"Const\"}}");
        prompts.put("node is a list", "{\"prompt\": {\"1\": [\"Const\", {\"value\": 1}]}}");
        prompts.put("inputs is a list", "{\"prompt\": {\"1\": {\"class_type\": \"Show\", \"inputs\": [1]}}}");
        prompts.put("inputs is a string", "{\"prompt\": {\"1\": {\"class_type\": \"Show\", \"inputs\": \"1\"}}}");
        prompts.put("class_type missing", "{\"prompt\": {\"1\": {\"inputs\": {\"value\": 1}}}}");
        prompts.put("class_type numeric", "{\"prompt\": {\"1\": {\"class_type\": 7, \"inputs\": {\"value\": 1}}}}");
        prompts.put("class_type unknown", "{\"prompt\": {\"1\": {\"class_type\": \"Nope\", \"inputs\": {}}}}");
        prompts.put("link with one item", GOOD_BODY.replace("[\"1\", 0]", "[\"1\"]"));
        prompts.put("link with three items", GOOD_BODY.replace("[\"1\", 0]", "[\"1\", 0, 0]"));
        prompts.put("link to a missing node", GOOD_BODY.replace("[\"1\", 0]", "[\"9\", 0]"));
        prompts.put("link id is an object", GOOD_BODY.replace("[\"1\", 0]", "[{\"id\": \"1\"}, 0]"));
        prompts.put("link slot is a string", GOOD_BODY.replace("[\"1\", 0]", "[\"1\", \"0\"]"));
        prompts.put("link slot out of range", GOOD_BODY.replace("[\"1\", 0]", "[\"1\", 5]"));
        prompts.put("literal of the wrong type", GOOD_BODY.replace("\"value\": 5", "\"value\": {\"a\": 1}"));
        prompts.put("prompt_id is an object", "{\"prompt\": " + GOOD + ", \"prompt_id\": {\"a\": 1}}");
        prompts.put("prompt_id is a list", "{\"prompt\": " + GOOD + ", \"prompt_id\": [\"a\"]}");
        prompts.put("prompt_id is empty", "{\"prompt\": " + GOOD + ", \"prompt_id\": \"\"}");
        prompts.put("client_id is an object", "{\"prompt\": " + GOOD + ", \"client_id\": {\"a\": 1}}");
        prompts.put("number is a string", "{\"prompt\": " + GOOD + ", \"number\": \"first\"}");
        prompts.put("front is an object", "{\"prompt\": " + GOOD + ", \"front\": {}}");
        prompts.put("extra_data is a list", "{\"prompt\": " + GOOD + ", \"extra_data\": [1]}");
        prompts.put("extra_data is a string", "{\"prompt\": " + GOOD + ", \"extra_data\": \"x\"}");
        prompts.put("partial targets is a string", "{\"prompt\": " + GOOD + ", \"partial_execution_targets\": \"2\"}");
        prompts.put("partial target is an object",
                "{\"prompt\": " + GOOD + ", \"partial_execution_targets\": [{\"id\": \"2\"}]}");
        prompts.put("deeply nested lists", "[".repeat(100_000));
        prompts.put("deeply nested objects", "{\"a\":".repeat(100_000));
        prompts.put("deeply nested literal", "{\"prompt\": {\"1\": {\"class_type\": \"Show\", \"inputs\": {\"value\": "
                + "[".repeat(100_000) + "]".repeat(100_000) + "}}}}");
        prompts.put("huge number", "{\"prompt\": " + GOOD.replace("5", "9".repeat(5000)) + "}");
        for (Map.Entry<String, String> c : prompts.entrySet()) {
            Response r = raw.request("POST", "/prompt", c.getValue(), "Content-Type: application/json");
            assertEquals(400, r.status(), c.getKey() + ": " + abbreviate(r.body()));
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertTrue(error != null && (error.isTextual() || error.has("type") && error.has("message")),
                    c.getKey() + ": " + abbreviate(r.body()));
            assertFalse(error.toString().isBlank());
        }
        // Invalid UTF-8 (a lone continuation byte, a cut-off sequence, 0xFF) inside an otherwise fine body.
        for (byte[] bad : List.of(new byte[] {(byte) 0x80}, new byte[] {(byte) 0xE2, (byte) 0x82},
                new byte[] {(byte) 0xFF})) {
            byte[] before = "{\"prompt\": {\"1\": {\"class_type\": \"Const\", \"inputs\": {\"value\": 1}}, \"2\": {\"class_type\": \"Show\", \"inputs\": {\"value\": \"".getBytes(StandardCharsets.UTF_8);
            byte[] after = "\"}}}}".getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[before.length + bad.length + after.length];
            System.arraycopy(before, 0, body, 0, before.length);
            System.arraycopy(bad, 0, body, before.length, bad.length);
            System.arraycopy(after, 0, body, before.length + bad.length, after.length);
            Response r = raw.requestBytes("POST", "/prompt", body, "Content-Type: application/json");
            assertEquals(400, r.status(), "invalid UTF-8: " + r.body());
            assertTrue(r.body().contains("UTF-8"), r.body());
        }
        // The other JSON routes: not JSON, not an object, wrong types, unknown fields (a typo must not silently do
        // nothing), deep nesting.
        Map<String, String> small = new LinkedHashMap<>();
        small.put("truncated", "{\"clear\": tr");
        small.put("trailing garbage", "{\"clear\": false} x");
        small.put("a list", "[]");
        small.put("a string", "\"clear\"");
        small.put("duplicate key", "{\"clear\": false, \"clear\": true}");
        small.put("clear is a string", "{\"clear\": \"yes\"}");
        small.put("delete is a string", "{\"delete\": \"abc\"}");
        small.put("delete holds an object", "{\"delete\": [{\"id\": \"abc\"}]}");
        small.put("unknown field", "{\"deletes\": [\"abc\"]}");
        small.put("deep", "[".repeat(100_000));
        for (String path : List.of("/queue", "/history", "/api/queue")) {
            for (Map.Entry<String, String> c : small.entrySet()) {
                Response r = raw.request("POST", path, c.getValue(), "Content-Type: application/json");
                assertEquals(400, r.status(), path + " " + c.getKey() + ": " + abbreviate(r.body()));
                assertTrue(JSON.readTree(r.body()).has("error"), r.body());
            }
        }
        for (String bad : List.of("{\"prompt_id\": {}}", "{\"prompt_id\": [1]}", "[", "[1]", "{} {}",
                "[".repeat(100_000))) {
            Response r = raw.request("POST", "/interrupt", bad, "Content-Type: application/json");
            assertEquals(400, r.status(), "/interrupt " + abbreviate(bad) + ": " + abbreviate(r.body()));
        }
        for (String bad : List.of("", "{\"free_memory\": tr", "[true]", "{\"free_memory\": true} x",
                "{\"free_memory\": true, \"free_memory\": false}", "{\"a\":".repeat(100_000))) {
            Response r = raw.request("POST", "/free", bad, "Content-Type: application/json");
            assertEquals(400, r.status(), "/free " + abbreviate(bad) + ": " + abbreviate(r.body()));
        }
        assertNothingQueued();
        assertHealthy();
    }

    @Test
    void deepButReasonableNestingAndKnownExtrasStillWork() throws Exception {
        start(null);
        // A literal nested 200 deep is data a node may legitimately take; it must not trip the depth limit.
        String deep = "{\"__value__\": " + "[".repeat(200) + "1" + "]".repeat(200) + "}";
        String body = "{\"prompt\": {\"1\": {\"class_type\": \"Show\", \"inputs\": {\"value\": " + deep + "},"
                + " \"_meta\": {\"title\": \"Deep\"}}}, \"client_id\": \"c\", \"extra_data\": {\"extra_pnginfo\":"
                + " {\"workflow\": {\"nodes\": []}}}, \"front\": false, \"prompt_id\": \"deep-1\","
                + " \"partial_execution_targets\": [\"1\"], \"some_future_field\": {\"x\": 1}}";
        Response r = raw.request("POST", "/prompt", body, "Content-Type: application/json");
        assertEquals(200, r.status(), abbreviate(r.body()));
        awaitHistory(1);
        JsonNode entry = JSON.readTree(server.get("/history/deep-1").body()).get("deep-1");
        assertEquals("success", entry.get("status").get("status_str").asText(), entry.toString());
        // A numeric prompt_id and number, as Python's str()/float() would take them.
        r = raw.request("POST", "/prompt", "{\"prompt\": " + GOOD + ", \"prompt_id\": 12345, \"number\": 3.5}");
        assertEquals(200, r.status(), r.body());
        assertEquals("12345", JSON.readTree(r.body()).get("prompt_id").asText());
        awaitHistory(2);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static String errorOf(Response r) throws Exception {
        JsonNode body = JSON.readTree(r.body());
        JsonNode error = body.get("error");
        assertTrue(error != null, "no error in " + r.body());
        return error.isTextual() ? error.asText() : error.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private void assertNothingQueued() throws Exception {
        JsonNode queue = JSON.readTree(server.get("/queue").body());
        assertEquals(0, queue.get("queue_pending").size(), queue.toString());
        assertEquals(0, queue.get("queue_running").size(), queue.toString());
        assertEquals("{}", server.get("/history").body());
    }

    private void awaitHistory(int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (JSON.readTree(server.get("/history").body()).size() < n) {
            assertTrue(System.nanoTime() < deadline, "history never reached " + n);
            Thread.sleep(20);
        }
    }

    /** The server still answers and runs a normal job end to end. */
    /** Where the job runner is (for a failure message). */
    private static String runnerStack() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("easel-job-runner"))
                .map(e -> java.util.Arrays.toString(e.getValue())).findFirst().orElse("not running");
    }

    private void assertHealthy() throws Exception {
        assertEquals(200, server.get("/queue").statusCode());
        TestServer.Recorder ws = server.connect("healthy");
        var reply = server.post("/prompt", TestServer.prompt(GOOD.replace("5", "11"), "healthy"));
        assertEquals(200, reply.statusCode(), reply.body());
        String id = JSON.readTree(reply.body()).get("prompt_id").asText();
        List<String> types;
        try {
            types = new ArrayList<>(ws.untilDone(id));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; queue " + server.get("/queue").body() + "; history "
                    + server.get("/history/" + id).body() + "; runner " + runnerStack(), e);
        }
        assertTrue(types.contains("execution_success"), types.toString());
        JsonNode entry = JSON.readTree(server.get("/history/" + id).body()).get(id);
        assertEquals("[\"11\"]", entry.get("outputs").get("2").get("text").toString());
    }
}
