package dev.easel.nodes.core.controlnet;

import dev.easel.node.FileFingerprint;
import dev.easel.node.InputSpec;
import dev.easel.node.ModelLibrary;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.runtime.ScopeHandOver;
import java.io.IOException;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** ComfyUI's ControlNetLoader: a CONTROL_NET from {@code models/controlnet} (original or diffusers layout). */
public final class ControlNetLoader implements Node {

    /** The socket type of a loaded ControlNet ({@link ControlNetModel}). */
    public static final String CONTROL_NET = "CONTROL_NET";

    private final ModelLibrary models;
    private final NodeSchema schema;

    public ControlNetLoader(ModelLibrary models) {
        this.models = models;
        this.schema = NodeSchema.builder("ControlNetLoader")
                .displayName("Load ControlNet Model")
                .category("loaders")
                .required(InputSpec.combo("control_net_name", () -> models.list("controlnet")))
                .output(CONTROL_NET)
                .modelLoader()
                .build();
    }

    @Override
    public NodeSchema schema() {
        return schema;
    }

    /** Re-loads when the file is replaced. */
    @Override
    public Object fingerprint(NodeInputs inputs) throws IOException {
        return FileFingerprint.stamp(models.resolve("controlnet", inputs.getString("control_net_name")));
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) throws IOException {
        ControlNetModel net = ControlNetModel.load(models.resolve("controlnet", inputs.getString("control_net_name")),
                ScalarType.Float);
        return NodeOutput.of(ScopeHandOver.toScope(net));
    }
}
