package dev.easel.nodes.core.testing;

import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.RefCounted;
import dev.easel.nodes.core.sampling.nodes.KSampler;
import dev.easel.nodes.core.value.Latent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;

/**
 * Runs a node the way the engine does: inside a fresh {@link PointerScope}, retaining every {@link RefCounted} output
 * before the scope closes. {@link #close()} releases what was retained, so a test that forgets a tensor shows up as
 * a leak in nothing but memory, and a test that double-frees fails.
 */
public final class NodeRunner implements AutoCloseable {

    private final NodeContext context;
    private final List<RefCounted> owned = new ArrayList<>();

    public NodeRunner(NodeContext context) {
        this.context = context;
    }

    public NodeOutput run(Node node, Map<String, ?> inputs) throws Exception {
        try (PointerScope scope = new PointerScope()) {
            NodeOutput out = node.execute(NodeInputs.of(inputs), context);
            for (Object value : out.values()) {
                if (value instanceof RefCounted rc) {
                    rc.retain();
                    owned.add(rc);
                }
            }
            return out;
        }
    }

    /** The single output of a node run. */
    public Object runForValue(Node node, Map<String, ?> inputs) throws Exception {
        return run(node, inputs).values().get(0);
    }

    /** Keeps {@code value} alive until {@link #close()}, like an engine holding a node's input. */
    public <T extends RefCounted> T own(T value) {
        value.retain();
        owned.add(value);
        return value;
    }

    @Override
    public void close() {
        for (RefCounted rc : owned) {
            rc.release();
        }
        owned.clear();
    }

    /**
     * A KSampler run (euler, normal schedule, full denoise) with the runner owning the result latent.
     */
    public Latent kSample(Object model, Object positive, Object negative, Object latent,
            long seed, long steps, double cfg) throws Exception {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("model", model);
        inputs.put("positive", positive);
        inputs.put("negative", negative);
        inputs.put("latent_image", latent);
        inputs.put("seed", seed);
        inputs.put("steps", steps);
        inputs.put("cfg", cfg);
        inputs.put("sampler_name", "euler");
        inputs.put("scheduler", "normal");
        inputs.put("denoise", 1.0);
        return own((Latent) runForValue(new KSampler(), inputs));
    }
}
