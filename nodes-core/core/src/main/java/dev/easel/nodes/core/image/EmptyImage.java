package dev.easel.nodes.core.image;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import org.bytedeco.pytorch.Tensor;

/** A batch of images filled with one colour (ComfyUI's EmptyImage, nodes.py). */
public final class EmptyImage implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("EmptyImage")
            .category("image")
            .required(InputSpec.integer("width").defaultValue(512L).min(1).max(ImageNodes.MAX_RESOLUTION).step(1))
            .required(InputSpec.integer("height").defaultValue(512L).min(1).max(ImageNodes.MAX_RESOLUTION).step(1))
            .required(InputSpec.integer("batch_size").defaultValue(1L).min(1).max(4096))
            .required(InputSpec.integer("color").defaultValue(0L).min(0).max(0xFFFFFF).step(1)
                    .option("display", "color"))
            .output(ValueTypes.IMAGE)
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        long color = inputs.getLong("color");
        // Each channel is (byte / 255) computed in double and stored as float32, as torch.full does in ComfyUI.
        float[] rgb = {
            (float) (((color >> 16) & 0xFF) / 255.0),
            (float) (((color >> 8) & 0xFF) / 255.0),
            (float) ((color & 0xFF) / 255.0),
        };
        Tensor image = Tensor.create(rgb, 1, 1, 1, 3)
                .expand(inputs.getLong("batch_size"), inputs.getLong("height"), inputs.getLong("width"), 3)
                .contiguous();
        return NodeOutput.of(TensorRef.of(image));
    }
}
