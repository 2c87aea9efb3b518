package dev.easel.engine.workflow.ui;

import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import java.util.List;

/**
 * Schemas shaped like ComfyUI's core nodes of the default graph (same inputs, order and widget options), plus a few
 * nodes for the conversion's corner cases. The converter only reads schemas; the nodes never run.
 */
final class UiTestNodes implements NodePack {

    static final List<String> CHECKPOINTS = List.of("v1-5-pruned-emaonly.ckpt");

    @Override
    public String id() {
        return "ui-test";
    }

    @Override
    public List<Node> nodes() {
        return List.of(
                node(NodeSchema.builder("CheckpointLoaderSimple").displayName("Load Checkpoint")
                        .required(InputSpec.combo("ckpt_name", CHECKPOINTS))
                        .output("MODEL").output("CLIP").output("VAE")),
                node(NodeSchema.builder("CLIPTextEncode").displayName("CLIP Text Encode (Prompt)")
                        .required(InputSpec.string("text").multiline())
                        .required(InputSpec.of("clip", "CLIP"))
                        .output("CONDITIONING")),
                node(NodeSchema.builder("EmptyLatentImage").displayName("Empty Latent Image")
                        .required(InputSpec.integer("width").defaultValue(512L).min(16).max(16384))
                        .required(InputSpec.integer("height").defaultValue(512L).min(16).max(16384))
                        .required(InputSpec.integer("batch_size").defaultValue(1L).min(1).max(4096))
                        .output("LATENT")),
                node(NodeSchema.builder("KSampler").displayName("KSampler")
                        .required(InputSpec.of("model", "MODEL"))
                        .required(InputSpec.integer("seed").defaultValue(0L).min(0).max(InputSpec.UINT64_MAX)
                                .controlAfterGenerate())
                        .required(InputSpec.integer("steps").defaultValue(20L).min(1).max(10000))
                        .required(InputSpec.number("cfg").defaultValue(8.0).min(0.0).max(100.0))
                        .required(InputSpec.combo("sampler_name", List.of("euler", "euler_ancestral")))
                        .required(InputSpec.combo("scheduler", List.of("normal", "karras")))
                        .required(InputSpec.of("positive", "CONDITIONING"))
                        .required(InputSpec.of("negative", "CONDITIONING"))
                        .required(InputSpec.of("latent_image", "LATENT"))
                        .required(InputSpec.number("denoise").defaultValue(1.0).min(0.0).max(1.0))
                        .output("LATENT")),
                node(NodeSchema.builder("VAEDecode").displayName("VAE Decode")
                        .required(InputSpec.of("samples", "LATENT"))
                        .required(InputSpec.of("vae", "VAE"))
                        .output("IMAGE")),
                node(NodeSchema.builder("SaveImage").displayName("Save Image")
                        .required(InputSpec.of("images", "IMAGE"))
                        .required(InputSpec.string("filename_prefix").defaultValue("ComfyUI"))
                        .outputNode()),
                // Its inputs are in the opposite order of its outputs, so bypassing it tests matching by type.
                node(NodeSchema.builder("SwappedLoraLoader")
                        .required(InputSpec.of("clip", "CLIP"))
                        .required(InputSpec.of("model", "MODEL"))
                        .required(InputSpec.number("strength").defaultValue(1.0))
                        .output("MODEL").output("CLIP")),
                node(NodeSchema.builder("IntConstant")
                        .required(InputSpec.integer("value").controlAfterGenerate())
                        .output("INT")),
                // forceInput: a socket with no widget, so no widgets_values slot; a list widget; optional widgets.
                node(NodeSchema.builder("Mixed")
                        .required(InputSpec.integer("count").forceInput())
                        .required(InputSpec.string("label"))
                        .required(InputSpec.of("values", "LIST_PARAM"))
                        .optional(InputSpec.bool("flag"))
                        .optional(InputSpec.number("scale").controlAfterGenerate())
                        .optional(InputSpec.string("suffix"))
                        .output("STRING")),
                node(NodeSchema.builder("LoadImage").displayName("Load Image")
                        .required(InputSpec.combo("image", List.of("example.png")).option("image_upload", true))
                        .optional(InputSpec.string("note"))
                        .output("IMAGE")));
    }

    private static Node node(NodeSchema.Builder schema) {
        NodeSchema built = schema.build();
        return new Node() {
            @Override
            public NodeSchema schema() {
                return built;
            }

            @Override
            public NodeOutput execute(NodeInputs inputs, NodeContext context) {
                throw new UnsupportedOperationException("schema only");
            }
        };
    }
}
