package dev.easel.nodes.core.sd;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import dev.easel.nodes.core.clip.ClipTextEncoder;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;

/** Encodes a prompt with ComfyUI's weighting syntax (ComfyUI's CLIPTextEncode). */
public final class ClipTextEncode implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("CLIPTextEncode")
            .displayName("CLIP Text Encode (Prompt)")
            .category("conditioning")
            .description("Encodes a text prompt using a CLIP model into an embedding that can be used to guide the "
                    + "diffusion model towards generating specific images.")
            .required(InputSpec.string("text").multiline().option("dynamicPrompts", true)
                    .tooltip("The text to be encoded."))
            .required(InputSpec.of("clip", ValueTypes.CLIP).tooltip("The CLIP model used for encoding the text."))
            .output(OutputSpec.of(ValueTypes.CONDITIONING)
                    .withTooltip("A conditioning containing the embedded text used to guide the diffusion model."))
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        ClipModel clip = inputs.get("clip", ClipModel.class);
        try (ModelUse use = ModelUse.of(context, clip.models()); var patched = clip.usePatches()) {
            ClipTextEncoder.Encoded encoded = clip.encode(inputs.getString("text"));
            return NodeOutput.of(Conditioning.of(TensorRef.of(encoded.cond()), TensorRef.of(encoded.pooled())));
        }
    }
}
