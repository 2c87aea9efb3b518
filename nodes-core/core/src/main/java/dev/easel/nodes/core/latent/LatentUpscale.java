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
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Resizes latents to a pixel width and height (ComfyUI's LatentUpscale): the latent grid becomes width/8 × height/8.
 * A side of 0 keeps the aspect ratio; both 0 returns the latent unchanged. The noise mask is dropped, as in ComfyUI.
 */
public final class LatentUpscale implements Node {

    /** ComfyUI also offers "bislerp"; it is not implemented yet, so workflows using it fail validation clearly. */
    static final List<String> METHODS = List.of("nearest-exact", "bilinear", "area", "bicubic");

    private static final NodeSchema SCHEMA = NodeSchema.builder("LatentUpscale")
            .displayName("Upscale Latent")
            .category("latent")
            .required(InputSpec.of("samples", ValueTypes.LATENT))
            .required(InputSpec.combo("upscale_method", METHODS))
            .required(InputSpec.integer("width").defaultValue(512L).min(0).max(LatentNodes.MAX_RESOLUTION).step(8))
            .required(InputSpec.integer("height").defaultValue(512L).min(0).max(LatentNodes.MAX_RESOLUTION).step(8))
            .required(InputSpec.combo("crop", List.of("disabled", "center")))
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
        long width = inputs.getLong("width");
        long height = inputs.getLong("height");
        if (width == 0 && height == 0) {
            return NodeOutput.of(latent);
        }
        Tensor samples = latent.samples().tensor();
        long oldWidth = samples.size(3);
        long oldHeight = samples.size(2);
        // As ComfyUI: at least 64 pixels a side, a missing side from the aspect ratio (Python's round, half to even).
        if (width == 0) {
            height = Math.max(64, height);
            width = Math.max(64, (long) Math.rint((double) oldWidth * height / oldHeight));
        } else if (height == 0) {
            width = Math.max(64, width);
            height = Math.max(64, (long) Math.rint((double) oldHeight * width / oldWidth));
        } else {
            width = Math.max(64, width);
            height = Math.max(64, height);
        }
        Tensor scaled = Resampler.resize(samples, width / 8, height / 8,
                UpscaleMethod.of(inputs.getString("upscale_method")), "center".equals(inputs.getString("crop")));
        return NodeOutput.of(Latent.of(TensorRef.of(scaled.contiguous())));
    }
}
