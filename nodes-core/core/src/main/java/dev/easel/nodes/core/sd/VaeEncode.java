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

/** Encodes images to latents, the distribution's mean (ComfyUI's VAEEncode); sides are cropped to multiples of 8. */
public final class VaeEncode implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("VAEEncode")
            .displayName("VAE Encode")
            .category("latent")
            .required(InputSpec.of("pixels", ValueTypes.IMAGE))
            .required(InputSpec.of("vae", ValueTypes.VAE))
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
            return NodeOutput.of(Latent.of(TensorRef.of(vae.vae().encode(pixels.tensor()))));
        }
    }
}
