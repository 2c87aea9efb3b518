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

/** Decodes latents to images (ComfyUI's VAEDecode). */
public final class VaeDecode implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("VAEDecode")
            .displayName("VAE Decode")
            .category("latent")
            .description("Decodes latent images back into pixel space images.")
            .required(InputSpec.of("samples", ValueTypes.LATENT).tooltip("The latent to be decoded."))
            .required(InputSpec.of("vae", ValueTypes.VAE).tooltip("The VAE model used for decoding the latent."))
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
            return NodeOutput.of(TensorRef.of(vae.vae().decodeToImage(latent.samples().tensor())));
        }
    }
}
