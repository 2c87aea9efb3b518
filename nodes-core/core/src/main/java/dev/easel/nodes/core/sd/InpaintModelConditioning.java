package dev.easel.nodes.core.sd;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * ComfyUI's InpaintModelConditioning: for inpainting checkpoints (9 input channels), the masked image's latent and
 * the mask go into both conditionings ({@code concat_latent_image}, {@code concat_mask}), from where the sampler
 * concatenates them to the UNet's input ({@code sampling.guidance.InpaintConcat}); the latent to sample is the
 * unmasked image's, optionally with the mask as its noise mask.
 */
public final class InpaintModelConditioning implements Node {

    /** The conditioning option holding the masked image's latent (VAE space). */
    public static final String CONCAT_LATENT_IMAGE = "concat_latent_image";
    /** The conditioning option holding the mask [B, 1, H, W] at pixel resolution. */
    public static final String CONCAT_MASK = "concat_mask";

    private static final NodeSchema SCHEMA = NodeSchema.builder("InpaintModelConditioning")
            .displayName("InpaintModelConditioning")
            .category("conditioning/inpaint")
            .required(InputSpec.of("positive", ValueTypes.CONDITIONING))
            .required(InputSpec.of("negative", ValueTypes.CONDITIONING))
            .required(InputSpec.of("vae", ValueTypes.VAE))
            .required(InputSpec.of("pixels", ValueTypes.IMAGE))
            .required(InputSpec.of("mask", ValueTypes.MASK))
            .required(InputSpec.bool("noise_mask").defaultValue(true).tooltip("Add a noise mask to the latent so "
                    + "sampling will only happen within the mask. Might improve results or completely break things "
                    + "depending on the model."))
            .output(OutputSpec.of(ValueTypes.CONDITIONING, "positive"))
            .output(OutputSpec.of(ValueTypes.CONDITIONING, "negative"))
            .output(OutputSpec.of(ValueTypes.LATENT, "latent"))
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
        VaeEncodeForInpaint.Prepared prepared = VaeEncodeForInpaint.prepare(pixels, mask, 0);
        Tensor concatLatent;
        Tensor latent;
        try (ModelUse use = ModelUse.of(context, vae.vae())) {
            concatLatent = vae.vae().encode(prepared.pixels());
            latent = vae.vae().encode(pixels);
        }
        TensorRef maskRef = TensorRef.of(prepared.mask());
        TensorRef concatRef = TensorRef.of(concatLatent);
        Latent out = Latent.of(TensorRef.of(latent));
        if (inputs.getBoolean("noise_mask")) {
            out = out.withNoiseMask(maskRef);
        }
        return NodeOutput.of(withConcat(inputs.get("positive", Conditioning.class), concatRef, maskRef),
                withConcat(inputs.get("negative", Conditioning.class), concatRef, maskRef), out);
    }

    private static Conditioning withConcat(Conditioning conditioning, TensorRef latent, TensorRef mask) {
        List<Conditioning.Entry> entries = new ArrayList<>();
        for (Conditioning.Entry e : conditioning.entries()) {
            entries.add(e.with(CONCAT_LATENT_IMAGE, latent).with(CONCAT_MASK, mask));
        }
        return Conditioning.of(entries);
    }
}
