package dev.easel.nodes.core.image;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.tensor.TensorOps;
import dev.easel.nodes.core.value.Images;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;

/** {@code 1 - image} (ComfyUI's ImageInvert, nodes.py). */
public final class ImageInvert implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("ImageInvert")
            .displayName("Invert Image")
            .category("image")
            .required(InputSpec.of("image", ValueTypes.IMAGE))
            .output(ValueTypes.IMAGE)
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        TensorRef image = inputs.get("image", TensorRef.class);
        return NodeOutput.of(TensorRef.of(TensorOps.rsub(1.0, Images.require(image, "image"))));
    }
}
