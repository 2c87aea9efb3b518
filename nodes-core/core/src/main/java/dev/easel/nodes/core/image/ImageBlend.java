package dev.easel.nodes.core.image;

import static dev.easel.nodes.core.tensor.TensorOps.scalar;

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
import java.util.Arrays;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Blends {@code image2} onto {@code image1} (ComfyUI's ImageBlend, comfy_extras/nodes_post_processing.py):
 * {@code clamp(image1 * (1 - f) + mode(image1, image2) * f, 0, 1)}. An {@code image2} of another size is first
 * resized to {@code image1}'s with bicubic interpolation and a centre crop; a channel-count mismatch is settled as
 * ComfyUI's {@code node_helpers.image_alpha_fix} does.
 */
public final class ImageBlend implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("ImageBlend")
            .displayName("Image Blend")
            .category("image/postprocessing")
            .required(InputSpec.of("image1", ValueTypes.IMAGE))
            .required(InputSpec.of("image2", ValueTypes.IMAGE))
            .required(InputSpec.number("blend_factor").defaultValue(0.5).min(0.0).max(1.0).step(0.01))
            .required(InputSpec.combo("blend_mode", BlendMode.labels()))
            .output(ValueTypes.IMAGE)
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        Tensor image1 = Images.require(inputs.get("image1", TensorRef.class), "image1");
        Tensor image2 = Images.require(inputs.get("image2", TensorRef.class), "image2");
        double factor = inputs.getDouble("blend_factor");
        BlendMode mode = BlendMode.of(inputs.getString("blend_mode"));

        Tensor[] fixed = alphaFix(image1, image2);
        image1 = fixed[0];
        try (Device device = image1.device()) {
            image2 = fixed[1].to(device, image1.scalar_type());
        }
        image2 = matchSize(image1, image2);

        Tensor blended = mode.apply(image1, image2);
        Tensor mixed = image1.mul(scalar(1 - factor)).add(blended.mul(scalar(factor)));
        return NodeOutput.of(TensorRef.of(TensorOps.clamp(mixed, 0, 1)));
    }

    /**
     * ComfyUI's {@code node_helpers.image_alpha_fix} (current form): extra channels of {@code image2} are dropped, and
     * an {@code image2} with one channel less than {@code image1} (RGB against RGBA) gets an opaque alpha.
     */
    private static Tensor[] alphaFix(Tensor image1, Tensor image2) {
        long c1 = Images.channels(image1);
        long c2 = Images.channels(image2);
        if (c1 < c2) {
            return new Tensor[] {image1, image2.narrow(3, 0, c1)};
        }
        if (c1 > c2) {
            return new Tensor[] {image1, torch.constant_pad_nd(image2, new long[] {0, 1}, scalar(1.0))};
        }
        return new Tensor[] {image1, image2};
    }

    private static Tensor matchSize(Tensor image1, Tensor image2) {
        long[] s1 = image1.shape();
        long[] s2 = image2.shape();
        if (Arrays.equals(s1, s2)) {
            return image2;
        }
        if (s1[0] != s2[0] && s1[0] != 1 && s2[0] != 1) {
            throw new IllegalArgumentException("cannot blend a batch of " + s1[0] + " images with a batch of " + s2[0]
                    + ": the batch sizes must match, or one of them must be 1");
        }
        Tensor bchw = image2.permute(0, 3, 1, 2);
        return Resampler.resize(bchw, s1[2], s1[1], UpscaleMethod.BICUBIC, true).permute(0, 2, 3, 1);
    }
}
