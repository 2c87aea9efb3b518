package dev.easel.node;

/**
 * What the engine gives a running node: its identity, progress reporting, cooperative cancellation, a logger and
 * the runtime. One context per node execution; it is valid only during {@link Node#execute}.
 */
public interface NodeContext {

    /** This node's id in the (possibly expanded) workflow, for example {@code "3"} or {@code "54:12"}. */
    String nodeId();

    /** The id the UI should highlight (the top-level parent for expanded nodes). */
    String displayNodeId();

    /** The id of the run (the prompt id). */
    String promptId();

    /** Reports progress, for example sampler step {@code value} of {@code max}. Also checks for cancellation. */
    void progress(long value, long max);

    /** Reports progress with a preview image. Also checks for cancellation. */
    void progress(long value, long max, Preview preview);

    /** True once the run was cancelled. */
    boolean isCancelled();

    /** Throws {@link CancelledException} when the run was cancelled; call it at every step boundary. */
    void checkCancelled();

    /** A logger named after the node type. */
    System.Logger logger();

    /** The device and memory of the machine. */
    RuntimeInfo runtime();

    /** The data folders (output, input, temp). */
    Folders folders();

    /**
     * Where this run notes the result files it creates; pass it to {@link OutputFiles#createNew} when writing one, so
     * that a run which dies midway can be undone and re-run without leaving its files twice.
     */
    default OutputJournal outputJournal() {
        return OutputJournal.NONE;
    }

    /** A new subgraph for node expansion, with a unique, deterministic id prefix. */
    Subgraph newSubgraph();
}
