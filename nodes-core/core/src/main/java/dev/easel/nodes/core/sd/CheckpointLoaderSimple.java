package dev.easel.nodes.core.sd;

import dev.easel.node.FileFingerprint;
import dev.easel.node.InputSpec;
import dev.easel.node.ModelLibrary;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.ScopeHandOver;
import java.io.IOException;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Loads a checkpoint from {@code models/checkpoints} (ComfyUI's CheckpointLoaderSimple): MODEL, CLIP and VAE. */
public final class CheckpointLoaderSimple implements Node {

    private final ModelLibrary models;
    private final NodeSchema schema;

    public CheckpointLoaderSimple(ModelLibrary models) {
        this.models = models;
        this.schema = NodeSchema.builder("CheckpointLoaderSimple")
                .displayName("Load Checkpoint")
                .category("loaders")
                .description("Loads a diffusion model checkpoint; diffusion models denoise latents.")
                .required(InputSpec.combo("ckpt_name", () -> models.list("checkpoints"))
                        .tooltip("The name of the checkpoint (model) to load."))
                .output(OutputSpec.of(ValueTypes.MODEL).withTooltip("The model used for denoising latents."))
                .output(OutputSpec.of(ValueTypes.CLIP).withTooltip("The CLIP model used for encoding text prompts."))
                .output(OutputSpec.of(ValueTypes.VAE)
                        .withTooltip("The VAE model used for encoding and decoding images to and from latent space."))
                .modelLoader()
                .build();
    }

    @Override
    public NodeSchema schema() {
        return schema;
    }

    /** Re-loads when the file is replaced (size and time; a multi-gigabyte file is not hashed). */
    @Override
    public Object fingerprint(NodeInputs inputs) throws IOException {
        return FileFingerprint.stamp(models.resolve("checkpoints", inputs.getString("ckpt_name")));
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) throws IOException {
        var parts = CheckpointLoading.load(models.resolve("checkpoints", inputs.getString("ckpt_name")),
                ScalarType.Float);
        return NodeOutput.of(ScopeHandOver.toScope(parts.model()), ScopeHandOver.toScope(parts.clip()),
                ScopeHandOver.toScope(parts.vae()));
    }
}
