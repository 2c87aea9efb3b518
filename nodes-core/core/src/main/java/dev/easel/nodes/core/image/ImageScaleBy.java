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
import org.bytedeco.pytorch.Tensor;

/** Resizes images by a factor (ComfyUI's ImageScaleBy, nodes.py); sides are rounded as Python's {@code round}. */
public final class ImageScaleBy implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("ImageScaleBy")
            .displayName("Upscale Image By")
            .category("image/upscaling")
            .required(InputSpec.of("image", ValueTypes.IMAGE))
            .required(InputSpec.combo("upscale_method", UpscaleMethod.labels()))
            .required(InputSpec.number("scale_by").defaultValue(1.0).min(0.01).max(8.0).step(0.01))
            .output(ValueTypes.IMAGE)
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        Tensor image = Images.require(inputs.get("image", TensorRef.class), "image");
        double scale = inputs.getDouble("scale_by");
        long width = (long) Math.rint(Images.width(image) * scale);
        long height = (long) Math.rint(Images.height(image) * scale);
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("scaling a " + Images.width(image) + "x" + Images.height(image)
                    + " image by " + scale + " (input 'scale_by') leaves no pixels");
        }
        UpscaleMethod method = UpscaleMethod.of(inputs.getString("upscale_method"));
        Tensor scaled = Resampler.resize(image.permute(0, 3, 1, 2), width, height, method, false).permute(0, 2, 3, 1);
        return NodeOutput.of(TensorRef.of(scaled.contiguous()));
    }
}
