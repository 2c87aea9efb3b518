package dev.easel.nodes.core.image;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.Images;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Resizes images to a width and height (ComfyUI's ImageScale, nodes.py). A side of 0 keeps the aspect ratio; both 0
 * returns the images unchanged.
 */
public final class ImageScale implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("ImageScale")
            .displayName("Upscale Image")
            .category("image/upscaling")
            .required(InputSpec.of("image", ValueTypes.IMAGE))
            .required(InputSpec.combo("upscale_method", UpscaleMethod.labels()))
            .required(InputSpec.integer("width").defaultValue(512L).min(0).max(ImageNodes.MAX_RESOLUTION).step(1))
            .required(InputSpec.integer("height").defaultValue(512L).min(0).max(ImageNodes.MAX_RESOLUTION).step(1))
            .required(InputSpec.combo("crop", List.of("disabled", "center")))
            .output(ValueTypes.IMAGE)
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        TensorRef imageRef = inputs.get("image", TensorRef.class);
        Tensor image = Images.require(imageRef, "image");
        long width = inputs.getLong("width");
        long height = inputs.getLong("height");
        if (width == 0 && height == 0) {
            return NodeOutput.of(imageRef);
        }
        long oldWidth = Images.width(image);
        long oldHeight = Images.height(image);
        // Python's round() of a true division, halves to even.
        if (width == 0) {
            width = Math.max(1, (long) Math.rint((double) oldWidth * height / oldHeight));
        } else if (height == 0) {
            height = Math.max(1, (long) Math.rint((double) oldHeight * width / oldWidth));
        }
        UpscaleMethod method = UpscaleMethod.of(inputs.getString("upscale_method"));
        boolean center = "center".equals(inputs.getString("crop"));
        Tensor scaled = Resampler.resize(image.permute(0, 3, 1, 2), width, height, method, center).permute(0, 2, 3, 1);
        return NodeOutput.of(TensorRef.of(scaled.contiguous()));
    }
}
