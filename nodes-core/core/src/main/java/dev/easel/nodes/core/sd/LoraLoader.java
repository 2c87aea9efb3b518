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
import dev.easel.nodes.core.lora.LoraFile;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.ScopeHandOver;
import java.io.IOException;

/**
 * ComfyUI's LoraLoader and LoraLoaderModelOnly: a MODEL (and CLIP) with a LoRA from {@code models/loras} added at a
 * strength. The outputs share the base weights; the LoRA is applied in place only while a sampling or an encode uses
 * them, and taken off when something uses the model without it (see {@code WeightPatcher}).
 */
public final class LoraLoader implements Node {

    private static final double LIMIT = 100.0;

    private final ModelLibrary models;
    private final boolean modelOnly;
    private final NodeSchema schema;

    private LoraLoader(ModelLibrary models, boolean modelOnly) {
        this.models = models;
        this.modelOnly = modelOnly;
        NodeSchema.Builder b = NodeSchema.builder(modelOnly ? "LoraLoaderModelOnly" : "LoraLoader")
                .category("loaders")
                .required(InputSpec.of("model", ValueTypes.MODEL).tooltip("The diffusion model the LoRA will be "
                        + "applied to."));
        if (modelOnly) {
            b.displayName("LoraLoaderModelOnly");
        } else {
            b.displayName("Load LoRA")
                    .description("LoRAs are used to modify diffusion and CLIP models, altering the way in which "
                            + "latents are denoised such as applying styles. Multiple LoRA nodes can be linked "
                            + "together.")
                    .required(InputSpec.of("clip", ValueTypes.CLIP).tooltip("The CLIP model the LoRA will be "
                            + "applied to."));
        }
        b.required(InputSpec.combo("lora_name", () -> models.list("loras")).tooltip("The name of the LoRA."))
                .required(InputSpec.number("strength_model").defaultValue(1.0).min(-LIMIT).max(LIMIT).step(0.01)
                        .tooltip("How strongly to modify the diffusion model. This value can be negative."));
        if (!modelOnly) {
            b.required(InputSpec.number("strength_clip").defaultValue(1.0).min(-LIMIT).max(LIMIT).step(0.01)
                    .tooltip("How strongly to modify the CLIP model. This value can be negative."));
        }
        b.output(OutputSpec.of(ValueTypes.MODEL).withTooltip("The modified diffusion model."));
        if (!modelOnly) {
            b.output(OutputSpec.of(ValueTypes.CLIP).withTooltip("The modified CLIP model."));
        }
        this.schema = b.build();
    }

    /** LoraLoader: MODEL and CLIP. */
    public static LoraLoader modelAndClip(ModelLibrary models) {
        return new LoraLoader(models, false);
    }

    /** LoraLoaderModelOnly: MODEL. */
    public static LoraLoader modelOnly(ModelLibrary models) {
        return new LoraLoader(models, true);
    }

    @Override
    public NodeSchema schema() {
        return schema;
    }

    @Override
    public Object fingerprint(NodeInputs inputs) throws IOException {
        return FileFingerprint.stamp(models.resolve("loras", inputs.getString("lora_name")));
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) throws IOException {
        DiffusionModel model = inputs.get("model", DiffusionModel.class);
        ClipModel clip = modelOnly ? null : inputs.get("clip", ClipModel.class);
        double strengthModel = inputs.getDouble("strength_model");
        double strengthClip = modelOnly ? 0 : inputs.getDouble("strength_clip");
        if (strengthModel == 0 && strengthClip == 0) {
            return modelOnly ? NodeOutput.of(model) : NodeOutput.of(model, clip); // as the reference: unchanged
        }
        try (LoraFile lora = LoraLoading.read(models.resolve("loras", inputs.getString("lora_name")), model, clip)) {
            if (!lora.ignoredKeys().isEmpty()) {
                context.logger().log(System.Logger.Level.WARNING, () -> lora.name() + ": " + lora.ignoredKeys().size()
                        + " tensors patch nothing in this model and are ignored: " + lora.ignoredKeys());
            }
            // a part at strength 0 is passed on as it is (no patch to apply and undo)
            DiffusionModel patchedModel = strengthModel == 0 ? model
                    : ScopeHandOver.toScope(model.withLora(lora, strengthModel));
            if (modelOnly) {
                return NodeOutput.of(patchedModel);
            }
            ClipModel patchedClip = strengthClip == 0 ? clip : ScopeHandOver.toScope(clip.withLora(lora, strengthClip));
            return NodeOutput.of(patchedModel, patchedClip);
        }
    }
}
