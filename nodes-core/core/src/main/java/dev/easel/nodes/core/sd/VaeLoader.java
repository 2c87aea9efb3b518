package dev.easel.nodes.core.sd;

import dev.easel.node.FileFingerprint;
import dev.easel.node.InputSpec;
import dev.easel.node.ModelLibrary;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.ScopeHandOver;
import java.io.IOException;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Loads a VAE from {@code models/vae} (ComfyUI's VAELoader). */
public final class VaeLoader implements Node {

    private final ModelLibrary models;
    private final NodeSchema schema;

    public VaeLoader(ModelLibrary models) {
        this.models = models;
        this.schema = NodeSchema.builder("VAELoader")
                .displayName("Load VAE")
                .category("loaders")
                .required(InputSpec.combo("vae_name", () -> models.list("vae")))
                .output(ValueTypes.VAE)
                .modelLoader()
                .build();
    }

    @Override
    public NodeSchema schema() {
        return schema;
    }

    @Override
    public Object fingerprint(NodeInputs inputs) throws IOException {
        return FileFingerprint.stamp(models.resolve("vae", inputs.getString("vae_name")));
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) throws IOException {
        VaeModel vae = CheckpointLoading.loadVae(models.resolve("vae", inputs.getString("vae_name")), ScalarType.Float);
        return NodeOutput.of(ScopeHandOver.toScope(vae));
    }
}
