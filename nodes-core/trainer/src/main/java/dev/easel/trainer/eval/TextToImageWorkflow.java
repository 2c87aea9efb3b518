package dev.easel.trainer.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The default text-to-image workflow in ComfyUI's API format (CheckpointLoaderSimple → CLIPTextEncode ×2 →
 * EmptyLatentImage 64×64 → KSampler → VAEDecode → SaveImage), with one positive-prompt branch per prompt. The
 * branches share the loader, the (empty) negative prompt and the empty latent, so the checkpoint is read once per
 * run; each branch computes exactly what the one-prompt default workflow computes for its prompt and seed.
 */
public final class TextToImageWorkflow {

    /** Width and height of the generated images (the training images' size). */
    public static final int SIZE = 64;

    private static final ObjectMapper JSON = new ObjectMapper();

    private TextToImageWorkflow() {
    }

    /** The SaveImage node id of branch {@code i}. */
    public static String saveNode(int i) {
        return "save_" + i;
    }

    /**
     * The workflow's JSON for {@code prompts}; branch {@code i} samples with seed {@code seeds[i]} and saves its PNG
     * with the file name prefix {@code eval_<i>}.
     */
    public static String json(String checkpointName, List<String> prompts, long[] seeds, SamplingSettings settings) {
        if (seeds.length != prompts.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + seeds.length + " seeds");
        }
        ObjectNode root = JSON.createObjectNode();
        node(root, "ckpt", "CheckpointLoaderSimple").put("ckpt_name", checkpointName);
        ObjectNode negative = node(root, "negative", "CLIPTextEncode");
        negative.put("text", "");
        negative.set("clip", link("ckpt", 1));
        ObjectNode latent = node(root, "latent", "EmptyLatentImage");
        latent.put("width", SIZE).put("height", SIZE).put("batch_size", 1);
        for (int i = 0; i < prompts.size(); i++) {
            ObjectNode positive = node(root, "positive_" + i, "CLIPTextEncode");
            positive.put("text", prompts.get(i));
            positive.set("clip", link("ckpt", 1));
            ObjectNode sampler = node(root, "sampler_" + i, "KSampler");
            sampler.put("seed", seeds[i]).put("steps", settings.steps()).put("cfg", settings.cfg())
                    .put("sampler_name", settings.sampler()).put("scheduler", settings.scheduler())
                    .put("denoise", 1.0);
            sampler.set("model", link("ckpt", 0));
            sampler.set("positive", link("positive_" + i, 0));
            sampler.set("negative", link("negative", 0));
            sampler.set("latent_image", link("latent", 0));
            ObjectNode decode = node(root, "decode_" + i, "VAEDecode");
            decode.set("samples", link("sampler_" + i, 0));
            decode.set("vae", link("ckpt", 2));
            ObjectNode save = node(root, saveNode(i), "SaveImage");
            save.put("filename_prefix", "eval_" + i);
            save.set("images", link("decode_" + i, 0));
        }
        return root.toString();
    }

    private static ObjectNode node(ObjectNode root, String id, String classType) {
        ObjectNode node = root.putObject(id);
        node.put("class_type", classType);
        return node.putObject("inputs");
    }

    private static ArrayNode link(String node, int slot) {
        return JSON.createArrayNode().add(node).add(slot);
    }
}
