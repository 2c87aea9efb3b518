package dev.easel.nodes.core.latent;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.image.Resampler;
import dev.easel.nodes.core.image.UpscaleMethod;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import org.bytedeco.pytorch.Tensor;

/** Scales latents by a factor (ComfyUI's LatentUpscaleBy): the new grid is round(size × scale_by). */
public final class LatentUpscaleBy implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("LatentUpscaleBy")
            .displayName("Upscale Latent By")
            .category("latent")
            .required(InputSpec.of("samples", ValueTypes.LATENT))
            .required(InputSpec.combo("upscale_method", LatentUpscale.METHODS))
            .required(InputSpec.number("scale_by").defaultValue(1.5).min(0.01).max(8.0).step(0.01))
            .output(ValueTypes.LATENT)
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        Latent latent = inputs.get("samples", Latent.class);
        Tensor samples = latent.samples().tensor();
        double scale = inputs.getDouble("scale_by");
        // Python's round(), halves to even, as ComfyUI computes the new size.
        long width = Math.max(1, (long) Math.rint(samples.size(3) * scale));
        long height = Math.max(1, (long) Math.rint(samples.size(2) * scale));
        Tensor scaled = Resampler.resize(samples, width, height, UpscaleMethod.of(inputs.getString("upscale_method")),
                false);
        return NodeOutput.of(Latent.of(TensorRef.of(scaled.contiguous())));
    }
}
