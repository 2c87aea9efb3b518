package dev.easel.nodes.core.sd;

import dev.easel.node.InputSpec;
import dev.easel.node.ModelLibrary;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import dev.easel.nodes.core.clip.ClipTextEncoder;
import dev.easel.nodes.core.clip.Embeddings;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import java.io.IOException;

/**
 * Encodes a prompt with ComfyUI's weighting syntax (ComfyUI's CLIPTextEncode), with textual-inversion embeddings
 * ({@code embedding:name}) from {@code models/embeddings}.
 *
 * <p>Cache key: a literal prompt adds the content hash of each embedding file it names (or that it is missing), so
 * editing, adding or removing one re-runs the encode; a linked prompt is not known before the run, so it adds the
 * path, size and time of every file in the embeddings folder instead.
 */
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

    private final ModelLibrary models;

    /** Without model folders: {@code embedding:} is prompt text. */
    public ClipTextEncode() {
        this(ModelLibrary.EMPTY);
    }

    public ClipTextEncode(ModelLibrary models) {
        this.models = models;
    }

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public Object fingerprint(NodeInputs inputs) throws IOException {
        Embeddings embeddings = new Embeddings(models, System.getLogger(ClipTextEncode.class.getName()));
        return inputs.has("text") ? embeddings.fingerprint(inputs.getString("text")) : embeddings.folderFingerprint();
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        ClipModel clip = inputs.get("clip", ClipModel.class);
        Embeddings embeddings = new Embeddings(models, context.logger());
        try (ModelUse use = ModelUse.of(context, clip.models()); var patched = clip.usePatches()) {
            ClipTextEncoder.Encoded encoded = clip.encode(inputs.getString("text"), embeddings);
            return NodeOutput.of(Conditioning.of(TensorRef.of(encoded.cond()), TensorRef.of(encoded.pooled())));
        }
    }
}
