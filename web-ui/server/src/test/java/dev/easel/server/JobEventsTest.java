package dev.easel.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.server.TestServer.Recorder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-job event log (api-contract §12 #11): sequence numbers on the default stream, replay after a reconnect,
 * subscribing to another client's job, the SSE stream, replay from history, clients that never read, and inbound
 * limits.
 */
class JobEventsTest {

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

    private static String slow(int steps, int millis) {
        return """
                {"1": {"class_type": "Const", "inputs": {"value": %d}},
                 "2": {"class_type": "Slow", "inputs": {"steps": %d, "millis": %d, "value": ["1", 0]}},
                 "3": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}"""
                .formatted((steps * 7 + millis) % 1000, steps, millis); // a distinct constant: no cache hits between tests
    }

    private String queue(String workflow, String clientId) throws Exception {
        HttpResponse<String> r = server.post("/prompt", TestServer.prompt(workflow, clientId));
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.JSON.readTree(r.body()).get("prompt_id").asText();
    }

    /** The next message of job {@code promptId} (others, such as status, are skipped). */
    private static JsonNode nextOf(Recorder ws, String promptId) throws InterruptedException {
        while (true) {
            JsonNode m = ws.messages.poll(20, TimeUnit.SECONDS);
            assertNotNull(m, "timed out waiting for an event of " + promptId);
            if (promptId.equals(m.path("data").path("prompt_id").asText(null))) {
                return m;
            }
        }
    }

    /** The job's messages up to and including the final executing (node null). */
    private static List<JsonNode> untilEnd(Recorder ws, String promptId) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        while (true) {
            JsonNode m = nextOf(ws, promptId);
            out.add(m);
            if (isFinal(m)) {
                return out;
            }
        }
    }

    private static boolean isFinal(JsonNode m) {
        return m.get("type").asText().equals("executing") && m.get("data").get("node").isNull();
    }

    private static List<Long> seqs(List<JsonNode> messages) {
        return messages.stream().filter(m -> m.has("seq")).map(m -> m.get("seq").asLong()).toList();
    }

    private static List<Long> range(long from, long toInclusive) {
        return LongStream.rangeClosed(from, toInclusive).boxed().toList();
    }

    private static String subscribe(String promptId, long from) {
        return "{\"type\": \"subscribe\", \"data\": {\"prompt_id\": \"" + promptId + "\", \"from\": " + from + "}}";
    }

    @Test
    void aReconnectingClientReplaysExactlyWhatItMissedThenGetsLiveEvents() throws Exception {
        Recorder first = server.connect("tab");
        String id = queue(slow(60, 15), "tab");
        List<JsonNode> before = new ArrayList<>();
        while (before.stream().filter(m -> m.get("type").asText().equals("progress")).count() < 5) {
            before.add(nextOf(first, id));
        }
        assertEquals(range(0, before.size() - 1), seqs(before), "the default stream is numbered from 0");
        long last = before.get(before.size() - 1).get("seq").asLong();
        first.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        Thread.sleep(200); // events go by meanwhile

        Recorder again = server.connect("tab");
        again.send(subscribe(id, last + 1));
        List<JsonNode> after = untilEnd(again, id);
        JsonNode ack = after.stream().filter(m -> m.get("type").asText().equals("subscribed")).findFirst()
                .orElseThrow();
        assertEquals(last + 1, ack.get("data").get("from").asLong());
        assertFalse(ack.get("data").get("finished").asBoolean());
        List<Long> got = new ArrayList<>(seqs(after));
        // on connect a client whose job runs gets the job's current executing again (api-contract §3.1)
        JsonNode current = after.get(0);
        assertEquals("executing", current.get("type").asText());
        assertTrue(current.get("seq").asLong() <= last);
        got.remove(0);
        long end = got.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertEquals(got.size(), got.stream().distinct().count(), "no event twice: " + got);
        assertEquals(range(last + 1, end), got.stream().sorted().toList(), "no event missing: " + got);
        assertTrue(after.stream().filter(m -> m.get("type").asText().equals("progress")).count() >= 55);
        assertTrue(isFinal(after.get(after.size() - 1)), "the final event comes last");

        // the replayed events are the logged ones: an SSE replay of the whole job has the same seqs and data
        List<SseEvent> sse = sse("/api/jobs/" + id + "/events", null).events;
        for (JsonNode m : after) {
            if (m.has("seq")) {
                SseEvent e = sse.get((int) m.get("seq").asLong());
                assertEquals(m.get("type").asText(), e.event);
                assertEquals(m.get("data"), TestServer.JSON.readTree(e.data));
            }
        }
    }

    @Test
    void anotherClientSubscribesToAJobItDidNotQueue() throws Exception {
        Recorder owner = server.connect("owner");
        Recorder watcher = server.connect("watcher");
        String id = queue(slow(30, 10), "owner");
        JsonNode firstProgress;
        do {
            firstProgress = nextOf(owner, id);
        } while (!firstProgress.get("type").asText().equals("progress"));
        watcher.send(subscribe(id, 0));
        List<JsonNode> watched = untilEnd(watcher, id);
        List<JsonNode> owned = new ArrayList<>();
        owned.add(firstProgress);
        owned.addAll(untilEnd(owner, id));

        assertEquals("subscribed", watched.get(0).get("type").asText());
        List<JsonNode> events = watched.subList(1, watched.size());
        assertEquals(range(0, events.size() - 1), seqs(events), "all of the job, in order, from 0");
        for (JsonNode m : owned) { // what the owner got live is what the watcher got
            assertEquals(m, events.get((int) m.get("seq").asLong()));
        }
        assertEquals("execution_start", events.get(0).get("type").asText());

        // once the job ended the subscription is over: the next job of the owner does not reach the watcher
        String next = queue(slow(2, 1), "owner");
        untilEnd(owner, next);
        watcher.send("{\"type\": \"feature_flags\", \"data\": {\"supports_preview_metadata\": true}}");
        JsonNode m = watcher.messages.poll(10, TimeUnit.SECONDS);
        while (m != null && m.get("type").asText().equals("status")) {
            m = watcher.messages.poll(10, TimeUnit.SECONDS);
        }
        assertNotNull(m);
        assertEquals("feature_flags", m.get("type").asText(), "nothing of the owner's next job: " + m);
        assertTrue(m.get("data").has("max_upload_size"));
    }

    @Test
    void aQueuedJobCanBeFollowedBeforeItStarts() throws Exception {
        Recorder owner = server.connect("q-owner");
        Recorder watcher = server.connect("q-watcher");
        String running = queue(slow(20, 10), "q-owner");
        String queued = queue(slow(3, 2), "q-owner");
        watcher.send(subscribe(queued, 0));
        List<JsonNode> watched = untilEnd(watcher, queued);
        assertEquals("subscribed", watched.get(0).get("type").asText());
        assertEquals(0, watched.get(0).get("data").get("next_seq").asLong(), "nothing logged yet");
        List<JsonNode> events = watched.subList(1, watched.size());
        assertEquals(range(0, events.size() - 1), seqs(events));
        assertEquals("execution_start", events.get(0).get("type").asText());
        untilEnd(owner, running);
        assertEquals(events, untilEnd(owner, queued), "the owner got the same events on its default stream");
        assertTrue(watcher.messages.stream().noneMatch(m -> running.equals(m.path("data").path("prompt_id")
                .asText())), "nothing of the job it did not follow");
    }

    @Test
    void aJobWithoutClientBroadcastsOnlyWhatComfyUiBroadcasts() throws Exception {
        Recorder anyone = server.connect("anyone");
        HttpResponse<String> r = server.post("/prompt", "{\"prompt\": " + slow(4, 1) + "}");
        String id = TestServer.JSON.readTree(r.body()).get("prompt_id").asText();
        List<JsonNode> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(nextOf(anyone, id));
        }
        assertEquals(List.of("progress", "progress", "progress", "progress"),
                got.stream().map(m -> m.get("type").asText()).toList());
        assertTrue(seqs(got).stream().allMatch(seq -> seq > 0), "numbered as in the job's log");
        // its full log is still there for whoever asks
        Sse sse = sse("/api/jobs/" + id + "/events", null);
        assertEquals("execution_start", sse.events.get(0).event);
        assertEquals("executing", sse.events.get(sse.events.size() - 1).event);
        assertEquals(seqs(got), sse.events.stream().filter(e -> e.event.equals("progress")).map(e -> e.id).toList());
    }

    @Test
    void sseReplaysFromAnOffsetFollowsLiveAndEnds() throws Exception {
        Recorder ws = server.connect("sse");
        String id = queue(slow(80, 15), "sse");
        List<JsonNode> live = new ArrayList<>();
        while (live.size() < 6) {
            live.add(nextOf(ws, id));
        }
        long t0 = System.nanoTime();
        Sse stream = sse("/api/jobs/" + id + "/events?from=3", null);
        assertEquals(200, stream.status);
        assertTrue(stream.contentType.startsWith("text/event-stream"), stream.contentType);
        live.addAll(untilEnd(ws, id));
        assertEquals(range(3, live.size() - 1), stream.events.stream().map(e -> e.id).toList());
        for (SseEvent e : stream.events) {
            JsonNode m = live.get((int) e.id);
            assertEquals(m.get("type").asText(), e.event);
            assertEquals(m.get("data"), TestServer.JSON.readTree(e.data));
        }
        assertTrue(System.nanoTime() - t0 > 200_000_000L, "the stream followed the job live until it ended");

        // an EventSource reconnecting: Last-Event-ID wins over ?from
        Sse resumed = sse("/api/jobs/" + id + "/events?from=0", "7");
        assertEquals(range(8, live.size() - 1), resumed.events.stream().map(e -> e.id).toList());
        // nothing after the end: 204, so an EventSource stops reconnecting
        assertEquals(204, sse("/api/jobs/" + id + "/events", String.valueOf(live.size() - 1)).status);
        HttpResponse<String> unknown = server.get("/api/jobs/no-such-job/events");
        assertEquals(404, unknown.statusCode());
        assertTrue(TestServer.JSON.readTree(unknown.body()).get("error").isTextual());
        assertEquals(400, server.get("/api/jobs/" + id + "/events?from=-1").statusCode());
        assertEquals(400, server.get("/api/jobs/" + id + "/events?from=x").statusCode());
    }

    @Test
    void aJobOnlyInHistoryIsReplayedFromItsMessages() throws Exception {
        Recorder ws = server.connect("h");
        String id = queue(slow(3, 1), "h");
        List<JsonNode> live = untilEnd(ws, id);
        server.close();
        server = TestServer.start(dir); // a new process over the same data folder: the in-memory log is gone

        Recorder again = server.connect("h");
        again.send(subscribe(id, 0));
        List<JsonNode> replay = untilEnd(again, id);
        JsonNode ack = replay.get(0);
        assertEquals("subscribed", ack.get("type").asText());
        assertEquals("history", ack.get("data").get("source").asText());
        assertTrue(ack.get("data").get("finished").asBoolean());
        List<JsonNode> events = replay.subList(1, replay.size());
        assertEquals(List.of("execution_start", "execution_cached", "execution_success", "executing"),
                events.stream().map(m -> m.get("type").asText()).toList());
        assertEquals(range(0, 3), seqs(events));
        assertEquals(live.get(0).get("data"), events.get(0).get("data"), "the same execution_start");

        Sse sse = sse("/jobs/" + id + "/events?from=2", null);
        assertEquals(List.of(2L, 3L), sse.events.stream().map(e -> e.id).toList());
        assertEquals("execution_success", sse.events.get(0).event);

        again.send(subscribe("nope", 0));
        JsonNode error = nextOf(again, "nope");
        assertEquals("error", error.get("type").asText());
    }

    @Test
    void aClientThatNeverReadsDoesNotSlowAJobAndIsDisconnected() throws Exception {
        Recorder owner = server.connect("reader");
        String workflow = """
                {"1": {"class_type": "Const", "inputs": {"value": %d}},
                 "2": {"class_type": "Previews", "inputs": {"steps": 160, "kib": 256, "millis": 10,
                        "value": ["1", 0]}},
                 "3": {"class_type": "Show", "inputs": {"value": ["2", 0]}}}""";
        long t0 = System.nanoTime();
        String baseline = queue(workflow.formatted(1), "reader");
        untilEnd(owner, baseline);
        long baselineMillis = (System.nanoTime() - t0) / 1_000_000;
        owner.binary.clear();

        // a client that subscribes to the next job and then reads nothing (it never requests more messages)
        Stuck stuck = new Stuck();
        WebSocket lazy = server.http.newWebSocketBuilder()
                .buildAsync(URI.create(server.base.replace("http", "ws") + "/ws?clientId=lazy"), stuck)
                .get(10, TimeUnit.SECONDS);
        awaitClients(2);
        t0 = System.nanoTime();
        String id = queue(workflow.formatted(2), "reader");
        lazy.sendText(subscribe(id, 0), true).get(10, TimeUnit.SECONDS);
        List<JsonNode> events = untilEnd(owner, id);
        long millis = (System.nanoTime() - t0) / 1_000_000;

        assertEquals(160, events.stream().filter(m -> m.get("type").asText().equals("progress")).count());
        for (int i = 1; i <= 160; i++) {
            byte[] frame = owner.binary.poll(10, TimeUnit.SECONDS);
            assertNotNull(frame, "preview " + i);
            assertEquals(8 + (256 << 10), frame.length);
            assertEquals(ByteBuffer.wrap(frame).getInt(), 1);
            assertEquals((byte) i, frame[8], "previews in order");
        }
        assertTrue(millis < 3 * baselineMillis + 2_000, "job took " + millis + " ms, alone " + baselineMillis);
        // 40 MiB of previews cannot wait for it: it was dropped, the reader was not
        awaitClients(1);

        // many small events with a stuck subscriber still run at full speed
        Stuck stuck2 = new Stuck();
        WebSocket lazy2 = server.http.newWebSocketBuilder()
                .buildAsync(URI.create(server.base.replace("http", "ws") + "/ws?clientId=lazy2"), stuck2)
                .get(10, TimeUnit.SECONDS);
        t0 = System.nanoTime();
        String many = queue(slow(1000, 0), "reader");
        lazy2.sendText(subscribe(many, 0), true).get(10, TimeUnit.SECONDS);
        List<JsonNode> manyEvents = untilEnd(owner, many);
        assertEquals(1000, manyEvents.stream().filter(m -> m.get("type").asText().equals("progress")).count());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 10_000);
        lazy2.abort();
    }

    @Test
    void badInboundMessagesGetErrorsAndAnOversizedFrameClosesOnlyThatSocket() throws Exception {
        Recorder good = server.connect("good");
        Recorder bad = server.connect("bad");
        bad.send("not json");
        assertEquals("error", nonStatus(bad).get("type").asText());
        bad.send("{\"type\": \"no_such_thing\", \"data\": {}}");
        assertEquals("error", nonStatus(bad).get("type").asText());
        bad.send("{\"type\": \"subscribe\", \"data\": {\"prompt_id\": \"x\", \"from\": -2}}");
        assertEquals("error", nonStatus(bad).get("type").asText());
        bad.send("[1, 2]");
        assertEquals("error", nonStatus(bad).get("type").asText());
        bad.send("{\"type\": \"feature_flags\", \"data\": {\"supports_preview_metadata\": true}}");
        JsonNode flags = nonStatus(bad);
        assertEquals("feature_flags", flags.get("type").asText());
        assertEquals(104857600, flags.get("data").get("max_upload_size").asLong());

        bad.socket.sendText("{\"type\": \"x\", \"data\": \"" + "a".repeat(100 << 10) + "\"}", true);
        assertEquals(1009, bad.closed.get(10, TimeUnit.SECONDS), "message too big");

        String id = queue(slow(3, 1), "good");
        assertEquals("execution_start", untilEnd(good, id).get(0).get("type").asText());
        awaitClients(1);
    }

    @Test
    void aSocketFollowsAtMostSixteenUnfinishedJobs() throws Exception {
        Recorder ws = server.connect("many");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            ids.add(queue(slow(1000, 10 + i), "someone-else"));
        }
        for (String id : ids) {
            ws.send(subscribe(id, 0));
        }
        List<String> replies = new ArrayList<>();
        while (replies.size() < 17) {
            JsonNode m = nonStatus(ws);
            if (m.get("type").asText().equals("subscribed") || m.get("type").asText().equals("error")) {
                replies.add(m.get("type").asText());
            }
        }
        assertEquals(16, replies.stream().filter("subscribed"::equals).count(), replies.toString());
        assertEquals("error", replies.get(16));
        ws.send("{\"type\": \"unsubscribe\", \"data\": {\"prompt_id\": \"" + ids.get(0) + "\"}}");
        ws.send(subscribe(ids.get(16), 0));
        JsonNode m;
        do {
            m = nonStatus(ws);
        } while (!m.get("type").asText().equals("subscribed"));
        assertEquals(ids.get(16), m.get("data").get("prompt_id").asText(), "room again after an unsubscribe");
        server.post("/queue", "{\"clear\": true}");
        server.post("/interrupt", "{}");
    }

    private void awaitClients(int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (server.server.events().clientCount() != n && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, server.server.events().clientCount());
    }

    private static JsonNode nonStatus(Recorder ws) throws InterruptedException {
        while (true) {
            JsonNode m = ws.messages.poll(10, TimeUnit.SECONDS);
            assertNotNull(m);
            if (!m.get("type").asText().equals("status")) {
                return m;
            }
        }
    }

    /** A WebSocket listener that never asks for a message after the first. */
    private static final class Stuck implements WebSocket.Listener {
        @Override
        public void onOpen(WebSocket webSocket) {
            // no request(n): the client stops reading, its TCP window fills up
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            return null;
        }
    }

    private record SseEvent(long id, String event, String data) {
    }

    private record Sse(int status, String contentType, List<SseEvent> events) {
    }

    /** Reads a whole SSE response (it ends when the job's final event was sent). */
    private Sse sse(String path, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.base + path)).GET()
                .timeout(java.time.Duration.ofSeconds(30));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<java.util.stream.Stream<String>> r = server.http.send(request.build(),
                HttpResponse.BodyHandlers.ofLines());
        List<SseEvent> events = new ArrayList<>();
        long[] id = {-1};
        String[] event = {null};
        String[] data = {null};
        r.body().forEach(line -> {
            if (line.startsWith("id: ")) {
                id[0] = Long.parseLong(line.substring(4));
            } else if (line.startsWith("event: ")) {
                event[0] = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data[0] = line.substring(6);
            } else if (line.isEmpty() && data[0] != null) {
                events.add(new SseEvent(id[0], event[0], data[0]));
                data[0] = null;
            }
        });
        return new Sse(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), events);
    }
}
