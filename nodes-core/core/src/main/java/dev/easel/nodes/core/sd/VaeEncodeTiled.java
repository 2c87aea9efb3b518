package dev.easel.nodes.core.sd;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;

/** Encodes images tile by tile (ComfyUI's VAEEncodeTiled); temporal inputs are for video VAEs and ignored here. */
public final class VaeEncodeTiled implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("VAEEncodeTiled")
            .displayName("VAE Encode (Tiled)")
            .category("_for_testing")
            .required(InputSpec.of("pixels", ValueTypes.IMAGE))
            .required(InputSpec.of("vae", ValueTypes.VAE))
            .required(InputSpec.integer("tile_size").defaultValue(512L).min(64).max(4096).step(64))
            .required(InputSpec.integer("overlap").defaultValue(64L).min(0).max(4096).step(32))
            .required(InputSpec.integer("temporal_size").defaultValue(64L).min(8).max(4096).step(4))
            .required(InputSpec.integer("temporal_overlap").defaultValue(8L).min(4).max(4096).step(4))
            .output(ValueTypes.LATENT)
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        VaeModel vae = inputs.get("vae", VaeModel.class);
        TensorRef pixels = inputs.get("pixels", TensorRef.class);
        try (ModelUse use = ModelUse.of(context, vae.vae())) {
            return NodeOutput.of(Latent.of(TensorRef.of(vae.vae().encodeTiled(pixels.tensor(),
                    inputs.getInt("tile_size"), inputs.getInt("overlap")))));
        }
    }
}
