package dev.easel.nodes.core.sd;

import static org.bytedeco.pytorch.global.torch.conv2d;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * ComfyUI's VAEEncodeForInpaint: encodes an image for an inpainting pass. The masked pixels are set to neutral grey
 * before encoding (so the encoder does not see what is to be replaced), and the latent carries the mask, grown by
 * {@code grow_mask_by} pixels so the new content blends in at the edges, as its noise mask. Image and mask are cropped
 * to a multiple of 8 pixels, centred.
 */
public final class VaeEncodeForInpaint implements Node {

    private static final NodeSchema SCHEMA = NodeSchema.builder("VAEEncodeForInpaint")
            .displayName("VAE Encode (for Inpainting)")
            .category("latent/inpaint")
            .required(InputSpec.of("pixels", ValueTypes.IMAGE))
            .required(InputSpec.of("vae", ValueTypes.VAE))
            .required(InputSpec.of("mask", ValueTypes.MASK))
            .required(InputSpec.integer("grow_mask_by").defaultValue(6).min(0).max(64).step(1))
            .output(ValueTypes.LATENT)
            .usesAccelerator()
            .build();

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        VaeModel vae = inputs.get("vae", VaeModel.class);
        Tensor pixels = inputs.get("pixels", TensorRef.class).tensor();
        Tensor mask = inputs.get("mask", TensorRef.class).tensor();
        Prepared prepared = prepare(pixels, mask, inputs.getInt("grow_mask_by"));
        try (ModelUse use = ModelUse.of(context, vae.vae())) {
            Tensor samples = vae.vae().encode(prepared.pixels());
            return NodeOutput.of(Latent.of(TensorRef.of(samples)).withNoiseMask(TensorRef.of(prepared.noiseMask())));
        }
    }

    /**
     * What is encoded ([B, H8, W8, 3], masked pixels grey), the noise mask ([Bm, 1, H8, W8], grown, exactly 0 or 1)
     * and the mask itself, resized and cropped like the pixels ([Bm, 1, H8, W8], values as given).
     */
    record Prepared(Tensor pixels, Tensor noiseMask, Tensor mask) {
    }

    static Prepared prepare(Tensor pixels, Tensor mask, long grow) {
        if (pixels.dim() != 4 || pixels.size(3) < 3) {
            throw new IllegalArgumentException("pixels must be an IMAGE [batch, height, width, channels]");
        }
        if (mask.dim() < 2 || mask.dim() > 3) {
            throw new IllegalArgumentException("mask must be [height, width] or [batch, height, width], got "
                    + mask.dim() + " dimensions");
        }
        long height = pixels.size(1);
        long width = pixels.size(2);
        if (height < 8 || width < 8) {
            throw new IllegalArgumentException("the image is " + width + "×" + height + "; inpainting needs at least "
                    + "8×8 pixels");
        }
        Tensor m = torch.upsample_bilinear2d(mask.reshape(-1, 1, mask.size(-2), mask.size(-1)).to(pixels),
                new long[] {height, width}, false);
        long h8 = height / 8 * 8;
        long w8 = width / 8 * 8;
        long top = (height % 8) / 2;
        long left = (width % 8) / 2;
        Tensor cropped = pixels.narrow(1, top, h8).narrow(2, left, w8).narrow(3, 0, 3);
        m = m.narrow(2, top, h8).narrow(3, left, w8);
        Tensor hard = m.round();
        Tensor grown = hard;
        if (grow > 0) {
            // a g×g box of ones: any masked pixel within reach marks its neighbours too
            Tensor kernel = torch.ones(1, 1, grow, grow).to(pixels);
            long pad = grow / 2; // ⌈(g − 1) / 2⌉
            grown = conv2d(hard, kernel, new TensorOptional(), new long[] {1, 1}, new long[] {pad, pad},
                    new long[] {1, 1}, 1).clamp(new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar(1.0)))
                    .narrow(2, 0, h8).narrow(3, 0, w8); // an even g gives one more row and column, cut at the end
        }
        // masked pixels to 0.5: p' = (p − 0.5)·(1 − m) + 0.5, the mask broadcast over the channels
        Tensor keep = hard.squeeze(1).unsqueeze(-1).neg().add(new Scalar(1.0));
        Tensor grey = cropped.sub(new Scalar(0.5)).mul(keep).add(new Scalar(0.5));
        return new Prepared(grey, grown.round(), m);
    }
}
