package dev.easel.nodes.core.sd;

import dev.easel.node.InputSpec;
import dev.easel.node.ModelLibrary;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.clip.ClipTextEncoder;
import dev.easel.nodes.core.clip.Embeddings;
import dev.easel.nodes.core.image.ImageNodes;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ComfyUI's CLIPTextEncodeSDXL and CLIPTextEncodeSDXLRefiner: a prompt encoded with an SDXL CLIP plus the size (and,
 * for the refiner, aesthetic-score) numbers that SDXL's adm input embeds ({@link AdmEncoder}). The base node takes one
 * text per tower: {@code text_g} for OpenCLIP bigG and {@code text_l} for CLIP-L.
 */
public final class ClipTextEncodeSdxl implements Node {

    private final NodeSchema schema;
    private final boolean refiner;
    /** Where {@code embedding:name} files are found ({@code models/embeddings}). */
    private final ModelLibrary models;

    private ClipTextEncodeSdxl(NodeSchema schema, boolean refiner, ModelLibrary models) {
        this.schema = schema;
        this.refiner = refiner;
        this.models = models;
    }

    /** CLIPTextEncodeSDXL. */
    public static ClipTextEncodeSdxl base(ModelLibrary models) {
        NodeSchema schema = NodeSchema.builder("CLIPTextEncodeSDXL")
                .displayName("CLIPTextEncodeSDXL")
                .category("advanced/conditioning")
                .required(InputSpec.of("clip", ValueTypes.CLIP))
                .required(size("width", 1024, 0))
                .required(size("height", 1024, 0))
                .required(size("crop_w", 0, 0))
                .required(size("crop_h", 0, 0))
                .required(size("target_width", 1024, 0))
                .required(size("target_height", 1024, 0))
                .required(InputSpec.string("text_g").multiline().option("dynamicPrompts", true))
                .required(InputSpec.string("text_l").multiline().option("dynamicPrompts", true))
                .output(ValueTypes.CONDITIONING)
                .usesAccelerator()
                .build();
        return new ClipTextEncodeSdxl(schema, false, models);
    }

    /** CLIPTextEncodeSDXLRefiner. */
    public static ClipTextEncodeSdxl refiner(ModelLibrary models) {
        NodeSchema schema = NodeSchema.builder("CLIPTextEncodeSDXLRefiner")
                .displayName("CLIPTextEncodeSDXLRefiner")
                .category("advanced/conditioning")
                .required(InputSpec.number("ascore").defaultValue(6.0).min(0.0).max(1000.0).step(0.01))
                .required(size("width", 1024, 64))
                .required(size("height", 1024, 64))
                .required(InputSpec.string("text").multiline().option("dynamicPrompts", true))
                .required(InputSpec.of("clip", ValueTypes.CLIP))
                .output(ValueTypes.CONDITIONING)
                .usesAccelerator()
                .build();
        return new ClipTextEncodeSdxl(schema, true, models);
    }

    private static InputSpec.Builder size(String name, int defaultValue, int min) {
        return InputSpec.integer(name).defaultValue((long) defaultValue).min(min).max(ImageNodes.MAX_RESOLUTION);
    }

    @Override
    public NodeSchema schema() {
        return schema;
    }

    /** As CLIPTextEncode's: the embedding files the texts name, or the whole folder for linked texts. */
    @Override
    public Object fingerprint(NodeInputs inputs) throws IOException {
        Embeddings embeddings = new Embeddings(models, System.getLogger(ClipTextEncodeSdxl.class.getName()));
        List<String> texts = refiner ? List.of("text") : List.of("text_g", "text_l");
        StringBuilder out = new StringBuilder();
        for (String name : texts) {
            if (!inputs.has(name)) {
                return embeddings.folderFingerprint();
            }
            out.append(embeddings.fingerprint(inputs.getString(name))).append('\n');
        }
        return out.toString();
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        ClipModel clip = inputs.get("clip", ClipModel.class);
        List<String> towers = clip.towers().stream().map(t -> t.name()).toList();
        if (!towers.contains("g")) {
            throw new IllegalArgumentException(schema.name() + " needs an SDXL CLIP (with the OpenCLIP bigG text "
                    + "encoder); this CLIP has the towers " + towers + ": use CLIPTextEncode");
        }
        Map<String, Object> options = new LinkedHashMap<>();
        ClipTextEncoder.Encoded encoded;
        Embeddings embeddings = new Embeddings(models, context.logger());
        try (ModelUse use = ModelUse.of(context, clip.models()); var patched = clip.usePatches()) {
            if (refiner) {
                encoded = clip.encode(inputs.getString("text"), embeddings);
            } else {
                encoded = clip.encode(Map.of("g", inputs.getString("text_g"), "l", inputs.getString("text_l")),
                        embeddings);
            }
        }
        options.put(Conditioning.POOLED_OUTPUT, TensorRef.of(encoded.pooled()));
        if (refiner) {
            options.put("aesthetic_score", inputs.getDouble("ascore"));
            options.put("width", inputs.getInt("width"));
            options.put("height", inputs.getInt("height"));
        } else {
            for (String name : List.of("width", "height", "crop_w", "crop_h", "target_width", "target_height")) {
                options.put(name, inputs.getInt(name));
            }
        }
        return NodeOutput.of(Conditioning.of(List.of(new Conditioning.Entry(TensorRef.of(encoded.cond()), options))));
    }
}
