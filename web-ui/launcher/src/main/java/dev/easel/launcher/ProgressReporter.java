package dev.easel.launcher;

import dev.easel.engine.event.RunEvent;
import dev.easel.engine.event.RunListener;
import dev.easel.engine.workflow.Workflow;
import dev.easel.engine.workflow.WorkflowNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shows a run's progress on stderr: the node being executed, how many nodes have started out of the total, and the
 * node's own progress (sampler steps). On a terminal one status line is redrawn in place; otherwise (a pipe, a log
 * file, CI) plain lines are printed, with node progress at most every 10 %.
 */
final class ProgressReporter implements RunListener {

    private static final int BAR_WIDTH = 24;
    private static final long REDRAW_NANOS = 50_000_000L;
    /** Keeps the status line on one terminal row (a wrapped line cannot be redrawn with \r). */
    private static final int MAX_LABEL = 48;

    private final PrintWriter err;
    private final boolean terminal;
    private final Workflow workflow;
    private int total;
    private int started;
    private String nodeLabel = "";
    private long value;
    private long max;
    private long lastPlainDecile = -1;
    private long lastDraw;
    private boolean lineShown;

    /**
     * @param total how many nodes the run needs; cached ones are subtracted when the run reports them, and node
     *              expansion may add more (the total then grows with the count)
     */
    ProgressReporter(PrintWriter err, boolean terminal, Workflow workflow, int total) {
        this.err = err;
        this.terminal = terminal;
        this.workflow = workflow;
        this.total = total;
    }

    @Override
    public void onEvent(RunEvent event) {
        if (event instanceof RunEvent.ExecutionCached cached) {
            total = Math.max(0, total - cached.nodes().size()); // served from the cache: they will not run
        } else if (event instanceof RunEvent.Executing executing && executing.nodeId() != null) {
            started++;
            total = Math.max(total, started);
            nodeLabel = label(executing.nodeId());
            value = 0;
            max = 0;
            lastPlainDecile = -1;
            if (terminal) {
                draw(true);
            } else {
                err.println("[" + started + "/" + total + "] " + nodeLabel);
                err.flush();
            }
        } else if (event instanceof RunEvent.Progress progress) {
            value = progress.value();
            max = progress.max();
            if (terminal) {
                draw(value >= max);
            } else if (max > 0) {
                long decile = Math.min(10, value * 10 / max);
                if (decile != lastPlainDecile) {
                    lastPlainDecile = decile;
                    err.println("    " + value + "/" + max);
                    err.flush();
                }
            }
        } else if (event instanceof RunEvent.ExecutionError error && "ExecutionBlocked".equals(error.exceptionType())) {
            message("warning: node " + error.nodeId() + " (" + error.nodeType() + ") was blocked: "
                    + error.exceptionMessage());
        }
    }

    /** Prints a line of its own, keeping the status line below it on a terminal. */
    void message(String line) {
        clearLine();
        err.println(line);
        if (terminal && started > 0) {
            draw(true);
        }
        err.flush();
    }

    /** Removes the status line (call when the run is over, before printing the outcome). */
    void finish() {
        clearLine();
        err.flush();
    }

    int nodesStarted() {
        return started;
    }

    private void clearLine() {
        if (terminal && lineShown) {
            err.print("\r\033[K");
            lineShown = false;
        }
    }

    private void draw(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        String label = nodeLabel.length() > MAX_LABEL ? nodeLabel.substring(0, MAX_LABEL - 1) + "…" : nodeLabel;
        StringBuilder line = new StringBuilder("\r\033[K[").append(started).append('/').append(total).append("] ")
                .append(label);
        if (max > 0) {
            int filled = (int) Math.min(BAR_WIDTH, Math.max(0, value) * BAR_WIDTH / max);
            line.append("  [").append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(value).append('/').append(max);
        }
        err.print(line);
        err.flush();
        lineShown = true;
    }

    private String label(String nodeId) {
        WorkflowNode node = workflow.node(nodeId);
        if (node == null) {
            return "node " + nodeId;
        }
        String title = node.title() != null && !node.title().isBlank() && !node.title().equals(node.classType())
                ? " \"" + node.title() + "\"" : "";
        return "node " + nodeId + " (" + node.classType() + ")" + title;
    }

    /**
     * True when stderr is a terminal. Java 17 cannot ask isatty(2) directly; on Linux the target of
     * {@code /proc/self/fd/2} tells, elsewhere {@link System#console()} (stdin and stdout are terminals) stands in.
     * {@code TERM=dumb} always means plain lines.
     */
    static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        Path fd = Path.of("/proc/self/fd/2");
        try {
            if (Files.isSymbolicLink(fd)) {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (Exception e) {
            // fall through
        }
        return System.console() != null;
    }
}
