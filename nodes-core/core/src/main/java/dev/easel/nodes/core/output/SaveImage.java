package dev.easel.nodes.core.output;

import dev.easel.node.HiddenInput;
import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.Images;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Saves images as PNGs in the output folder with the workflow embedded (ComfyUI's SaveImage, nodes.py; naming and
 * metadata as in api-contract §9).
 */
public final class SaveImage implements Node {

    /** ComfyUI's {@code compress_level} for saved images. */
    private static final int COMPRESS_LEVEL = 4;

    private static final NodeSchema SCHEMA = NodeSchema.builder("SaveImage")
            .displayName("Save Image")
            .category("image")
            .description("Saves the input images to your ComfyUI output directory.")
            .required(InputSpec.of("images", ValueTypes.IMAGE).tooltip("The images to save."))
            .required(InputSpec.string("filename_prefix").defaultValue("ComfyUI")
                    .tooltip("The prefix for the file to save. This may include formatting information such as"
                            + " %date:yyyy-MM-dd% or %Empty Latent Image.width% to include values from nodes."))
            .hidden("prompt", HiddenInput.PROMPT)
            .hidden("extra_pnginfo", HiddenInput.EXTRA_PNGINFO)
            .outputNode()
            .usesAccelerator()
            .build();

    private final ImageSaver saver;

    public SaveImage() {
        this(Clock.systemDefaultZone());
    }

    /** @param clock the time used by the {@code %year%}...{@code %second%} substitutions */
    public SaveImage(Clock clock) {
        this.saver = new ImageSaver("output", COMPRESS_LEVEL, clock);
    }

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        List<TextChunk> text = metadata(inputs, context);
        List<Map<String, Object>> saved = saver.save(Images.require(inputs.get("images", TensorRef.class), "images"),
                inputs.getString("filename_prefix"), context.folders().output(), text, context.outputJournal());
        return NodeOutput.none().withUi("images", saved);
    }

    /** The PNG text chunks from the hidden inputs; keys that cannot be PNG keywords are logged and left out. */
    static List<TextChunk> metadata(NodeInputs inputs, NodeContext context) {
        List<String> skipped = new ArrayList<>();
        Map<?, ?> extra = inputs.has("extra_pnginfo") ? inputs.get("extra_pnginfo", Map.class) : null;
        List<TextChunk> chunks = PngMetadata.chunks(inputs.get("prompt"), extra, skipped);
        for (String key : skipped) {
            context.logger().log(System.Logger.Level.WARNING, "extra_pnginfo key ''{0}'' is not a valid PNG text"
                    + " keyword or its value is not JSON; it is not written into the PNG", key);
        }
        return chunks;
    }
}
