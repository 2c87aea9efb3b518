package dev.easel.nodes.core.sampling.nodes;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import org.bytedeco.pytorch.Tensor;

/**
 * Attaches an inpainting mask to a latent: samplers change only where the mask is 1 and keep the rest (ComfyUI's
 * SetLatentNoiseMask; the mask is stored as [B, 1, H, W] at any resolution and resized by the sampler).
 */
public final class SetLatentNoiseMask implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("SetLatentNoiseMask")
            .displayName("Set Latent Noise Mask")
            .category("latent/inpaint")
            .required(InputSpec.of("samples", ValueTypes.LATENT))
            .required(InputSpec.of("mask", ValueTypes.MASK))
            .output(ValueTypes.LATENT)
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        Latent latent = inputs.get("samples", Latent.class);
        Tensor mask = inputs.get("mask", TensorRef.class).tensor();
        if (mask.dim() < 2 || mask.dim() > 4) {
            throw new IllegalArgumentException("mask must be [H, W] or [B, H, W], got " + mask.dim() + " dimensions");
        }
        Tensor reshaped = mask.reshape(-1, 1, mask.size(-2), mask.size(-1)).clone();
        return NodeOutput.of(latent.withNoiseMask(TensorRef.of(reshaped)));
    }
}
