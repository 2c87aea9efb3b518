package dev.easel.nodes.core.sd;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.nodes.core.vae.AutoencoderKL;
import dev.easel.runtime.TensorRef;

/**
 * Decodes latents tile by tile, so large images fit in memory (ComfyUI's VAEDecodeTiled). The temporal inputs are
 * for video VAEs; image VAEs ignore them.
 */
public final class VaeDecodeTiled implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("VAEDecodeTiled")
            .displayName("VAE Decode (Tiled)")
            .category("_for_testing")
            .required(InputSpec.of("samples", ValueTypes.LATENT))
            .required(InputSpec.of("vae", ValueTypes.VAE))
            .required(InputSpec.integer("tile_size").defaultValue(512L).min(64).max(4096).step(32))
            .required(InputSpec.integer("overlap").defaultValue(64L).min(0).max(4096).step(32))
            .required(InputSpec.integer("temporal_size").defaultValue(64L).min(8).max(4096).step(4)
                    .tooltip("Only used for video VAEs: Amount of frames to decode at a time."))
            .required(InputSpec.integer("temporal_overlap").defaultValue(8L).min(4).max(4096).step(4)
                    .tooltip("Only used for video VAEs: Amount of frames to overlap."))
            .output(ValueTypes.IMAGE)
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        VaeModel vae = inputs.get("vae", VaeModel.class);
        Latent latent = inputs.get("samples", Latent.class);
        try (ModelUse use = ModelUse.of(context, vae.vae())) {
            var decoded = vae.vae().decodeTiled(latent.samples().tensor(), inputs.getInt("tile_size"),
                    inputs.getInt("overlap"));
            return NodeOutput.of(TensorRef.of(AutoencoderKL.toImage(decoded)));
        }
    }
}
