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

/**
 * Splits a schedule so that the low part holds the last round(steps·denoise) steps (ComfyUI's SplitSigmasDenoise).
 */
public final class SplitSigmasDenoise implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("SplitSigmasDenoise")
            .displayName("SplitSigmasDenoise")
            .category("sampling/custom_sampling/sigmas")
            .required(InputSpec.of("sigmas", SamplingTypes.SIGMAS))
            .required(InputSpec.number("denoise").defaultValue(1.0).min(0.0).max(1.0).step(0.01))
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
        int steps = Math.max(s.length - 1, 0);
        int lowSteps = (int) Math.rint(steps * inputs.getDouble("denoise"));
        // as Python slices: high = s[:-lowSteps] (empty when lowSteps is 0), low = s[-(lowSteps + 1):]
        int highEnd = lowSteps == 0 ? 0 : Math.max(0, s.length - lowSteps);
        int lowStart = Math.max(0, s.length - (lowSteps + 1));
        return NodeOutput.of(Sigmas.of(Arrays.copyOfRange(s, 0, highEnd)),
                Sigmas.of(Arrays.copyOfRange(s, lowStart, s.length)));
    }
}
