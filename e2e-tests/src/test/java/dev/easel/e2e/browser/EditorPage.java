package dev.easel.e2e.browser;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The editor page as a test drives it: the toolbar by its ids, the canvas by mouse positions computed from
 * litegraph's own geometry, and the graph through {@code window.easel} (the editor's published handle).
 */
public final class EditorPage {

    /** Zoom that fits the default workflow (about 1,660 graph units wide) into the 1,400-pixel window. */
    private static final double FIT_SCALE = 0.75;

    private final ChromeDriver driver;
    private final String url;

    public EditorPage(ChromeDriver driver, String url) {
        this.driver = driver;
        this.url = url;
    }

    /**
     * Opens the page as a first visit: the previous page is stopped from saving its workflow, the saved one is
     * forgotten, and the call returns once {@code easel.ready} resolved. The view is then zoomed out to show the
     * whole default graph.
     */
    public void openFresh() {
        if (driver.getCurrentUrl().startsWith(url)) {
            js("Storage.prototype.setItem = function () {}; localStorage.clear(); sessionStorage.clear()");
        }
        driver.get(url);
        js("return window.easel.ready.then(() => true)");
        js("const ds = easel.canvas.ds; ds.scale = arguments[0]; ds.offset[0] = 10; ds.offset[1] = -150;"
                + " easel.canvas.setDirty(true, true)", FIT_SCALE);
    }

    /** Runs {@code script} in the page (a returned Promise is awaited) and returns its result. */
    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Waits until {@code condition} (a JavaScript expression) is truthy. */
    public void await(String condition, Duration timeout, String what) {
        new WebDriverWait(driver, timeout, Duration.ofMillis(50)).withMessage(what)
                .until(d -> Boolean.TRUE.equals(js("return !!(" + condition + ")")));
    }

    /** As {@link #await}, but fails at once with the dialog's text when the editor shows an error instead. */
    public void awaitUnlessError(String condition, Duration timeout, String what) {
        await("(" + condition + ") || !document.getElementById('error-dialog').hidden", timeout, what);
        if (Boolean.TRUE.equals(js("return !document.getElementById('error-dialog').hidden"))) {
            throw new AssertionError(what + ", but the editor says: " + element("#error-title").getText() + "\n"
                    + element("#error-text").getText());
        }
    }

    public WebElement element(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public void click(String css) {
        element(css).click();
    }

    /** The ids of the graph's nodes, in ascending order. */
    @SuppressWarnings("unchecked")
    public List<Long> nodeIds() {
        return (List<Long>) js("return easel.graph._nodes.map(n => n.id).sort((a, b) => a - b)");
    }

    public long linkCount() {
        return (Long) js("return Object.keys(easel.graph.links).length");
    }

    /** Sets a widget of node {@code nodeId}, as typing in it would. */
    public void setWidget(int nodeId, String widget, Object value) {
        Object found = js("const w = easel.graph.getNodeById(arguments[0])?.widgets?.find(w => w.name === arguments[1]);"
                + " if (!w) return false; w.value = arguments[2]; easel.canvas.setDirty(true, true); return true",
                nodeId, widget, value);
        if (!Boolean.TRUE.equals(found)) {
            throw new AssertionError("node " + nodeId + " has no widget " + widget);
        }
    }

    public Object widget(int nodeId, String widget) {
        return js("return easel.graph.getNodeById(arguments[0]).widgets.find(w => w.name === arguments[1]).value",
                nodeId, widget);
    }

    /** Makes the default workflow quick on the tiny checkpoint: 64×64 pixels, {@code steps} sampling steps. */
    public void makeQuick(int steps) {
        setWidget(5, "width", 64);
        setWidget(5, "height", 64);
        setWidget(3, "steps", steps);
    }

    /** Where a node's input or output slot is, in viewport pixels (graph → canvas by litegraph's DragAndScale). */
    @SuppressWarnings("unchecked")
    public int[] slotPosition(long nodeId, boolean input, int slot) {
        List<Number> xy = (List<Number>) js("const node = easel.graph.getNodeById(arguments[0]);"
                + " const p = easel.canvas.ds.convertOffsetToCanvas(node.getConnectionPos(arguments[1], arguments[2]));"
                + " const r = easel.canvas.canvas.getBoundingClientRect();"
                + " return [r.left + p[0], r.top + p[1]]", nodeId, input, slot);
        return new int[] {(int) Math.round(xy.get(0).doubleValue()), (int) Math.round(xy.get(1).doubleValue())};
    }

    /** A point of the canvas, in viewport pixels, with no node (nor its title) under it. */
    @SuppressWarnings("unchecked")
    public int[] emptyCanvasPoint() {
        List<Number> xy = (List<Number>) js("const r = easel.canvas.canvas.getBoundingClientRect();"
                + " for (let y = r.top + 60; y < r.bottom - 60; y += 20) for (let x = r.left + 60; x < r.right - 300; x += 20) {"
                + "   const g = easel.canvas.ds.convertCanvasToOffset([x - r.left, y - r.top]);"
                + "   if (!easel.graph._nodes.some(n => n.isPointInside(g[0], g[1], [40, 40, 40, 40]))) return [x, y] }"
                + " return null");
        if (xy == null) {
            throw new AssertionError("no empty spot on the canvas");
        }
        return new int[] {xy.get(0).intValue(), xy.get(1).intValue()};
    }

    /** Double-clicks the canvas at a viewport point. */
    public void doubleClickAt(int[] point) {
        new Actions(driver).moveToLocation(point[0], point[1]).doubleClick().perform();
    }

    /** Drags the mouse from one viewport point to another in small steps, as a hand would. */
    public void dragMouse(int[] from, int[] to) {
        Actions drag = new Actions(driver).moveToLocation(from[0], from[1]).clickAndHold();
        for (int i = 1; i <= 10; i++) {
            drag.moveToLocation(from[0] + (to[0] - from[0]) * i / 10, from[1] + (to[1] - from[1]) * i / 10);
        }
        drag.release().perform();
    }

    /** The {@code [origin id, origin slot, target id, target slot]} of the link into a node's input, or null. */
    @SuppressWarnings("unchecked")
    public List<Long> linkInto(long nodeId, int slot) {
        return (List<Long>) js("const n = easel.graph.getNodeById(arguments[0]); const id = n.inputs[arguments[1]].link;"
                + " if (id == null) return null; const l = easel.graph.links[id];"
                + " return [l.origin_id, l.origin_slot, l.target_id, l.target_slot]", nodeId, slot);
    }

    /** Every node's widget values, by node id. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> widgetValues() {
        return (Map<String, Object>) js("return Object.fromEntries(easel.graph._nodes.map(n =>"
                + " [String(n.id), (n.widgets ?? []).map(w => w.value)]))");
    }

    /**
     * Adds a node as a person does: a double-click on an empty spot opens litegraph's search box, {@code query} is
     * typed, and Enter takes the first match once the box lists some. Waits for a node of {@code type} to appear.
     */
    public void addNodeFromSearchBox(String query, String type) {
        doubleClickAt(emptyCanvasPoint());
        WebElement search = element(".litesearchbox input");
        search.sendKeys(query);
        await("document.querySelector('.litesearchbox .helper .litegraph, .litesearchbox .helper div')",
                Duration.ofSeconds(5), "the search box lists matches for " + query);
        search.sendKeys(Keys.ENTER);
        await("easel.graph._nodes.some(n => n.type === '" + type + "')", Duration.ofSeconds(5),
                "a " + type + " node was added");
    }
}
