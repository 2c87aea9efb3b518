package dev.easel.e2e.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The editor in headless Chromium against {@code easel serve} on loopback, as a person uses it: the default graph on
 * the first visit, a node added from the search box and wired by dragging, Queue on the tiny fixture checkpoint with
 * the image in the node, a validation error on the right node, a PNG dropped back in, and a job cancelled from the
 * queue panel. One server and one browser serve the whole class; each test opens the page afresh, ends with a
 * screenshot in {@code target/screenshots/<test>.png} and fails on console errors it did not expect.
 */
class EditorBrowserTest {

    /** Easel's own model, which the distribution ships (surefire points easel.bundled.models at it). */
    private static final String CHECKPOINT = "easel-tiny-sd1.safetensors";
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
    private static final Path TARGET = Path.of("target").toAbsolutePath();

    private static EaselServerProcess server;
    private static HeadlessChromium browser;
    private static EditorPage page;

    /** Console errors a test provoked on purpose (a 400 from POST /prompt, say); any other fails the test. */
    private final List<Pattern> expectedConsoleErrors = new ArrayList<>();
    private String testName;

    @BeforeAll
    static void startServerAndBrowser() throws Exception {
        Path run = TARGET.resolve("browser-tests");
        deleteRecursively(run); // the last run's profile, data and log
        browser = HeadlessChromium.start(run.resolve("profile"));
        Path data = run.resolve("data");
        server = EaselServerProcess.start(data, run.resolve("server.log"));
        page = new EditorPage(browser.driver(), server.baseUrl() + "/");
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void openEditor(TestInfo test) {
        testName = test.getTestMethod().orElseThrow().getName();
        page.openFresh();
    }

    /** Saves what the window shows as {@code target/screenshots/<test><suffix>.png}. */
    private void screenshot(String suffix) throws IOException {
        browser.screenshot(TARGET.resolve("screenshots/" + testName + suffix + ".png"));
    }

    @AfterEach
    void screenshotAndConsole() throws Exception {
        screenshot("");
        List<String> unexpected = browser.takeConsoleErrors().stream()
                .filter(line -> expectedConsoleErrors.stream().noneMatch(p -> p.matcher(line).find())).toList();
        if (server.jobsInQueue() > 0) {
            server.clearQueue(); // a failed test must not leave the next one a busy queue
            server.awaitIdle(60);
        }
        assertEquals(List.of(), unexpected, "console errors");
    }

    @Test
    void theFirstVisitShowsTheDefaultWorkflowOnEaselsOwnModel() {
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L), page.nodeIds());
        assertEquals(9, page.linkCount());
        assertEquals(CHECKPOINT, page.widget(4, "ckpt_name"));
        assertEquals(64L, ((Number) page.widget(5, "width")).longValue(), "the default workflow's size, not ComfyUI's");
        assertEquals(20L, ((Number) page.widget(3, "steps")).longValue());
        assertEquals(List.of(4L, 0L, 3L, 0L), page.linkInto(3, 0), "the checkpoint's MODEL feeds the sampler");
        page.await("document.getElementById('connection-status').textContent === 'connected'", Duration.ofSeconds(10),
                "the event socket connects");
    }

    @Test
    void aNodeFromTheSearchBoxIsWiredByDragging() {
        page.addNodeFromSearchBox("Preview Image", "PreviewImage");
        long preview = (Long) page.js("return easel.graph._nodes.find(n => n.type === 'PreviewImage').id");
        assertEquals(8, page.nodeIds().size());
        assertNull(page.linkInto(preview, 0));

        page.dragMouse(page.slotPosition(8, false, 0), page.slotPosition(preview, true, 0));

        assertEquals(List.of(8L, 0L, preview, 0L), page.linkInto(preview, 0), "VAEDecode's IMAGE feeds the preview");
        assertEquals(10, page.linkCount());
    }

    @Test
    void queueRunsTheWorkflowAndTheImageAppearsInTheNode() throws Exception {
        page.makeQuick(2);
        page.click("#queue-button");

        awaitImageIn(9);
        assertEquals(64L, page.js("return easel.graph.getNodeById(9).imgs[0].naturalWidth"));
        assertEquals("output", page.js("return easel.graph.getNodeById(9).images[0].type"));
        server.awaitIdle(10);
        page.click("#queue-toggle");
        page.await("document.querySelectorAll('#queue-list .queue-item').length === 0", Duration.ofSeconds(5),
                "the queue panel is empty");
        page.click("#queue-toggle"); // closed again, so the screenshot shows the image in the node
    }

    /** A past job appears in the history view with its image, and its workflow opens again from there. */
    @Test
    void theHistoryShowsAPastJobAndReopensItsWorkflow() throws Exception {
        Map<String, Object> queued = queueQuickRun("a remembered bottle");
        server.awaitIdle(10);
        page.click("#new-button");
        assertEquals(List.of(), page.nodeIds());

        page.click("#history-button");
        page.await("[...document.querySelectorAll('#history-list .history-item')].some(li =>"
                + " li.querySelector('img') && li.querySelector('img').complete && li.querySelector('img').naturalWidth"
                + " > 0 && li.querySelector('button.open-workflow'))", Duration.ofSeconds(10),
                "the history lists a job with its image and its workflow");
        page.js("document.querySelector('#history-list .history-item button.open-workflow').click()");
        page.await("easel.graph._nodes.length === 7", Duration.ofSeconds(5), "the past workflow is open again");
        assertEquals(queued, page.widgetValues(), "the newest job's workflow, as it was queued");
    }

    @Test
    void aValidationErrorMarksTheNodeAndNamesTheInput() {
        expectedConsoleErrors.add(Pattern.compile("/prompt .*status of 400"));
        page.js("easel.graph.getNodeById(3).disconnectInput(0)");
        page.click("#queue-button");

        page.await("!document.getElementById('error-dialog').hidden", Duration.ofSeconds(10),
                "the error dialog opens");
        assertEquals(Boolean.TRUE, page.js("return easel.graph.getNodeById(3).has_errors"));
        assertEquals(List.of(), page.js("return easel.graph._nodes.filter(n => n.id !== 3 && n.has_errors)"
                + ".map(n => n.id)"), "only the sampler is marked");
        String text = page.element("#error-text").getText();
        assertTrue(text.contains("#3") && text.contains("model"), text);
    }

    @Test
    void aDroppedPngRestoresTheWorkflowItWasMadeWith() throws Exception {
        Map<String, Object> queued = queueQuickRun("a dropped bottle");
        assertFalse(queued.equals(page.widgetValues()), "the seed was randomized after queueing");
        Object image = page.js("return easel.graph.getNodeById(9).images[0]");

        page.click("#new-button");
        assertEquals(List.of(), page.nodeIds());
        page.js("const im = arguments[0]; return fetch(`/view?filename=${encodeURIComponent(im.filename)}"
                + "&subfolder=${encodeURIComponent(im.subfolder)}&type=${im.type}`).then(r => r.blob()).then(blob => {"
                + "  const transfer = new DataTransfer();"
                + "  transfer.items.add(new File([blob], im.filename, {type: 'image/png'}));"
                + "  easel.canvas.canvas.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true,"
                + "    cancelable: true}));"
                + "})", image);

        page.await("easel.graph._nodes.length === 7", Duration.ofSeconds(10), "the dropped PNG's workflow opens");
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L), page.nodeIds());
        assertEquals(9, page.linkCount());
        assertEquals(queued, page.widgetValues(), "the workflow as it was queued, seed included");
    }

    @Test
    void aPendingJobIsCancelledAndTheRunningOneStoppedFromTheQueuePanel() throws Exception {
        page.makeQuick(10_000); // long enough to still run while the second job waits
        page.element("#batch-count").clear();
        page.element("#batch-count").sendKeys("2");
        page.click("#queue-toggle");
        page.click("#queue-button");

        page.awaitUnlessError("document.querySelector('#queue-list .queue-item[data-state=running]')"
                + " && document.querySelector('#queue-list .queue-item[data-state=pending]')", RUN_TIMEOUT,
                "one job runs and one waits");
        screenshot("-queued");
        String pending = page.element(".queue-item[data-state=pending]").getAttribute("data-prompt-id");
        String running = page.element(".queue-item[data-state=running]").getAttribute("data-prompt-id");
        page.click(".queue-item[data-state=pending] button.cancel");
        page.await("!document.querySelector('.queue-item[data-prompt-id=\"" + pending + "\"]')",
                Duration.ofSeconds(10), "the cancelled job leaves the panel");
        assertTrue(page.js("return document.querySelector('.queue-item[data-prompt-id=\"" + running + "\"]')") != null,
                "the running job is still listed");

        page.click(".queue-item[data-state=running] button.cancel");
        server.awaitIdle(30);
        page.await("document.querySelectorAll('#queue-list .queue-item').length === 0", Duration.ofSeconds(10),
                "the panel empties");
        JsonNode history = server.getJson("/history");
        assertFalse(history.has(pending), "the cancelled job never ran: " + history);
        JsonNode stopped = history.get(running);
        assertNotNull(stopped, "the stopped job is in the history");
        String messages = stopped.path("status").path("messages").toString();
        assertTrue(messages.contains("execution_interrupted"), messages);
    }

    /** Waits until node {@code nodeId} shows a loaded output image. */
    /**
     * A pack disabled and enabled on the running server (the JavaScript plugin) leaves and rejoins the editor's
     * palette without a reload of the page: the node type goes away, then can be added from the search box again.
     */
    @Test
    void thePaletteFollowsAPackBeingDisabledAndEnabled() throws Exception {
        assertTrue((Boolean) page.js("return easel.nodeTypes().includes('JavaScriptExpression')"));
        server.postJson("/api/plugins/easel-js/disable", "{}");
        try {
            page.await("!easel.nodeTypes().includes('JavaScriptExpression')"
                    + " && !easel.LiteGraph.registered_node_types['JavaScriptExpression']", Duration.ofSeconds(15),
                    "the disabled pack's node leaves the palette");
            assertTrue((Boolean) page.js("return easel.nodeTypes().includes('KSampler')"), "other packs stay");
        } finally {
            server.postJson("/api/plugins/easel-js/enable", "{}");
        }
        page.await("easel.nodeTypes().includes('JavaScriptExpression')", Duration.ofSeconds(15),
                "the enabled pack's node is back");
        page.addNodeFromSearchBox("JavaScriptExpression", "JavaScriptExpression"); // the node can be added again
    }

    /**
     * Queues the default graph made quick (64×64, 2 steps) with {@code prompt}, waits for its image in SaveImage, and
     * returns the widget values it was queued with.
     */
    private static Map<String, Object> queueQuickRun(String prompt) {
        page.makeQuick(2);
        page.setWidget(6, "text", prompt);
        Map<String, Object> queued = page.widgetValues();
        page.click("#queue-button");
        awaitImageIn(9);
        return queued;
    }

    private static void awaitImageIn(int nodeId) {
        page.awaitUnlessError("easel.graph.getNodeById(" + nodeId + ")?.imgs?.[0]?.complete"
                + " && easel.graph.getNodeById(" + nodeId + ").imgs[0].naturalWidth > 0", RUN_TIMEOUT,
                "the output image appears in node " + nodeId);
    }
}
