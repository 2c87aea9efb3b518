package dev.easel.nodes.core.conditioning;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Appends the tokens of one conditioning to each entry of another (ComfyUI's ConditioningConcat): every
 * {@code conditioning_to} entry gets the first {@code conditioning_from} entry's tensor concatenated along the token
 * axis, and keeps its own options.
 */
public final class ConditioningConcat implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("ConditioningConcat")
            .displayName("Conditioning (Concat)")
            .category("conditioning")
            .required(InputSpec.of("conditioning_to", ValueTypes.CONDITIONING))
            .required(InputSpec.of("conditioning_from", ValueTypes.CONDITIONING))
            .output(ValueTypes.CONDITIONING)
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        Conditioning to = inputs.get("conditioning_to", Conditioning.class);
        Conditioning from = inputs.get("conditioning_from", Conditioning.class);
        if (from.entries().size() > 1) {
            context.logger().log(System.Logger.Level.WARNING, "conditioning_from has " + from.entries().size()
                    + " entries; only the first is concatenated, as in ComfyUI");
        }
        Tensor extra = from.entries().get(0).cond().tensor();
        List<Conditioning.Entry> out = new ArrayList<>();
        for (Conditioning.Entry entry : to.entries()) {
            Tensor cond = entry.cond().tensor();
            if (cond.size(0) != extra.size(0) && extra.size(0) != 1) {
                throw new IllegalArgumentException("conditioning_from has batch " + extra.size(0)
                        + " but conditioning_to has batch " + cond.size(0));
            }
            if (cond.size(2) != extra.size(2)) {
                throw new IllegalArgumentException("conditioning_to has width " + cond.size(2)
                        + " but conditioning_from has width " + extra.size(2) + " (different text encoders?)");
            }
            Tensor matched = extra.size(0) == cond.size(0) ? extra : extra.expand(cond.size(0), -1, -1);
            out.add(entry.withCond(TensorRef.of(torch.cat(new TensorVector(cond, matched), 1))));
        }
        return NodeOutput.of(Conditioning.of(out));
    }
}
