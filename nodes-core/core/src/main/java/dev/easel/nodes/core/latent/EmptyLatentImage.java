package dev.easel.nodes.core.latent;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import dev.easel.nodes.core.image.ImageNodes;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import org.bytedeco.pytorch.global.torch;

/**
 * A batch of zero latents {@code [batch, 4, height / 8, width / 8]} for SD1.x/SDXL sampling (ComfyUI's
 * EmptyLatentImage, nodes.py).
 */
public final class EmptyLatentImage implements Node {

    /** Latent channels of the SD1.x and SDXL VAEs. */
    private static final long LATENT_CHANNELS = 4;
    /** Pixels per latent cell along each side. */
    private static final long DOWNSCALE = 8;

    private static final NodeSchema SCHEMA = NodeSchema.builder("EmptyLatentImage")
            .displayName("Empty Latent Image")
            .category("latent")
            .description("Create a new batch of empty latent images to be denoised via sampling.")
            .required(InputSpec.integer("width").defaultValue(512L).min(16).max(ImageNodes.MAX_RESOLUTION).step(8)
                    .tooltip("The width of the latent images in pixels."))
            .required(InputSpec.integer("height").defaultValue(512L).min(16).max(ImageNodes.MAX_RESOLUTION).step(8)
                    .tooltip("The height of the latent images in pixels."))
            .required(InputSpec.integer("batch_size").defaultValue(1L).min(1).max(4096)
                    .tooltip("The number of latent images in the batch."))
            .output(OutputSpec.of(ValueTypes.LATENT).withTooltip("The empty latent image batch."))
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        long batch = inputs.getLong("batch_size");
        long height = inputs.getLong("height") / DOWNSCALE;
        long width = inputs.getLong("width") / DOWNSCALE;
        return NodeOutput.of(Latent.of(TensorRef.of(torch.zeros(batch, LATENT_CHANNELS, height, width))));
    }
}
