package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.runtime.TensorRef;

/**
 * Reverses a schedule (for inversion: sampling from the image towards noise); a leading 0 becomes 0.0001 so the first
 * step has a σ to divide by (ComfyUI's FlipSigmas).
 */
public final class FlipSigmas implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("FlipSigmas")
            .displayName("FlipSigmas")
            .category("sampling/custom_sampling/sigmas")
            .required(InputSpec.of("sigmas", SamplingTypes.SIGMAS))
            .output(SamplingTypes.SIGMAS)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        double[] s = Sigmas.values(inputs.get("sigmas", TensorRef.class));
        double[] flipped = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            flipped[i] = s[s.length - 1 - i];
        }
        if (flipped.length > 0 && flipped[0] == 0.0) {
            flipped[0] = 0.0001;
        }
        return NodeOutput.of(Sigmas.of(flipped));
    }
}
