package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import dev.easel.runtime.TensorRef;
import java.util.Arrays;

/** Splits a schedule at a step: σ[0..step] and σ[step..] (they share σ[step]) (ComfyUI's SplitSigmas). */
public final class SplitSigmas implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("SplitSigmas")
            .displayName("SplitSigmas")
            .category("sampling/custom_sampling/sigmas")
            .required(InputSpec.of("sigmas", SamplingTypes.SIGMAS))
            .required(InputSpec.integer("step").defaultValue(0L).min(0).max(10000))
            .output(OutputSpec.of(SamplingTypes.SIGMAS, "high_sigmas"))
            .output(OutputSpec.of(SamplingTypes.SIGMAS, "low_sigmas"))
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        double[] s = Sigmas.values(inputs.get("sigmas", TensorRef.class));
        int step = inputs.getInt("step");
        return NodeOutput.of(Sigmas.of(Arrays.copyOfRange(s, 0, Math.min(step + 1, s.length))),
                Sigmas.of(Arrays.copyOfRange(s, Math.min(step, s.length), s.length)));
    }
}
