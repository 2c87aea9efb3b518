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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Saves images into the temp folder for the UI to show (ComfyUI's PreviewImage, nodes.py): prefix
 * {@code ComfyUI_temp_<5 random letters>}, fast PNG compression, UI type {@code temp}.
 */
public final class PreviewImage implements Node {

    /** ComfyUI's {@code compress_level} for previews: speed over size. */
    private static final int COMPRESS_LEVEL = 1;
    private static final int RANDOM_LETTERS = 5;

    private static final NodeSchema SCHEMA = NodeSchema.builder("PreviewImage")
            .displayName("Preview Image")
            .category("image")
            .description("Saves the input images to the temp folder for previewing.")
            .required(InputSpec.of("images", ValueTypes.IMAGE))
            .hidden("prompt", HiddenInput.PROMPT)
            .hidden("extra_pnginfo", HiddenInput.EXTRA_PNGINFO)
            .outputNode()
            .usesAccelerator()
            .build();

    private final ImageSaver saver = new ImageSaver("temp", COMPRESS_LEVEL, Clock.systemDefaultZone());

    @Override
    public NodeSchema schema() {
        return SCHEMA;
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) {
        List<TextChunk> text = SaveImage.metadata(inputs, context);
        List<Map<String, Object>> saved = saver.save(Images.require(inputs.get("images", TensorRef.class), "images"),
                "ComfyUI_temp_" + randomLetters(), context.folders().temp(), text, context.outputJournal());
        return NodeOutput.none().withUi("images", saved);
    }

    private static String randomLetters() {
        StringBuilder letters = new StringBuilder(RANDOM_LETTERS);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < RANDOM_LETTERS; i++) {
            letters.append((char) ('a' + random.nextInt(26)));
        }
        return letters.toString();
    }
}
