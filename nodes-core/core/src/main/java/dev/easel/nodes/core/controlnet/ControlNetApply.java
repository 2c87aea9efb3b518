package dev.easel.nodes.core.controlnet;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.node.OutputSpec;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.ScopeHandOver;
import dev.easel.runtime.TensorRef;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * ComfyUI's ControlNetApplyAdvanced ("Apply ControlNet": positive and negative, strength, start/end percent, an
 * optional VAE) and the deprecated ControlNetApply ("Apply ControlNet (OLD)": one conditioning, also applied to the
 * negative branch at sampling). Each entry gets a {@link ControlApplication} in its {@code control} option, chained
 * onto the one it already had; entries that had the same previous application share the new one, as in the
 * reference. Strength 0 passes the conditioning on unchanged. Nothing is computed here.
 */
public final class ControlNetApply implements Node {

    private static final InputSpec.Builder STRENGTH = InputSpec.number("strength").defaultValue(1.0).min(0.0)
            .max(10.0).step(0.01);

    private final boolean advanced;
    private final NodeSchema schema;

    private ControlNetApply(boolean advanced) {
        this.advanced = advanced;
        NodeSchema.Builder b = NodeSchema.builder(advanced ? "ControlNetApplyAdvanced" : "ControlNetApply")
                .displayName(advanced ? "Apply ControlNet" : "Apply ControlNet (OLD)")
                .category("conditioning/controlnet");
        if (advanced) {
            b.required(InputSpec.of("positive", ValueTypes.CONDITIONING))
                    .required(InputSpec.of("negative", ValueTypes.CONDITIONING));
        } else {
            b.required(InputSpec.of("conditioning", ValueTypes.CONDITIONING)).deprecated();
        }
        b.required(InputSpec.of("control_net", ControlNetLoader.CONTROL_NET))
                .required(InputSpec.of("image", ValueTypes.IMAGE))
                .required(STRENGTH);
        if (advanced) {
            b.required(InputSpec.number("start_percent").defaultValue(0.0).min(0.0).max(1.0).step(0.001))
                    .required(InputSpec.number("end_percent").defaultValue(1.0).min(0.0).max(1.0).step(0.001))
                    .optional(InputSpec.of("vae", ValueTypes.VAE))
                    .output(OutputSpec.of(ValueTypes.CONDITIONING, "positive"))
                    .output(OutputSpec.of(ValueTypes.CONDITIONING, "negative"));
        } else {
            b.output(ValueTypes.CONDITIONING);
        }
        this.schema = b.build();
    }

    /** ControlNetApplyAdvanced. */
    public static ControlNetApply advanced() {
        return new ControlNetApply(true);
    }

    /** ControlNetApply (deprecated in the reference, still used by older workflows). */
    public static ControlNetApply old() {
        return new ControlNetApply(false);
    }

    @Override
    public NodeSchema schema() {
        return schema;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        ControlNetModel net = inputs.get("control_net", ControlNetModel.class);
        TensorRef image = inputs.get("image", TensorRef.class);
        double strength = inputs.getDouble("strength");
        HintImage.check(image.tensor(), net.hintChannels(), schema.name(), "image", net.name());
        if (!advanced) {
            Conditioning conditioning = inputs.get("conditioning", Conditioning.class);
            if (strength == 0) {
                return NodeOutput.of(conditioning);
            }
            return NodeOutput.of(apply(conditioning, net, image, strength, 0.0, 1.0, true, new IdentityHashMap<>()));
        }
        Conditioning positive = inputs.get("positive", Conditioning.class);
        Conditioning negative = inputs.get("negative", Conditioning.class);
        if (strength == 0) {
            return NodeOutput.of(positive, negative);
        }
        double start = inputs.getDouble("start_percent");
        double end = inputs.getDouble("end_percent");
        // one application per previous one, shared by both outputs (the reference's cnets map)
        Map<ControlApplication, ControlApplication> shared = new IdentityHashMap<>();
        return NodeOutput.of(apply(positive, net, image, strength, start, end, false, shared),
                apply(negative, net, image, strength, start, end, false, shared));
    }

    private static Conditioning apply(Conditioning conditioning, ControlNetModel net, TensorRef image, double strength,
            double start, double end, boolean toUncond, Map<ControlApplication, ControlApplication> shared) {
        List<Conditioning.Entry> out = new ArrayList<>();
        for (Conditioning.Entry e : conditioning.entries()) {
            ControlApplication previous = ControlPatches.of(e); // null for the first ControlNet (a valid key here)
            ControlApplication applied = shared.get(previous);
            if (applied == null) {
                // the creation reference goes to the node's scope; the output conditioning retains its own
                applied = ScopeHandOver.toScope(ControlApplication.of(net, image, strength, start, end, previous));
                shared.put(previous, applied);
            }
            out.add(e.with(ControlPatches.CONTROL, applied).with(ControlPatches.APPLY_TO_UNCOND, toUncond));
        }
        return Conditioning.of(out);
    }
}
