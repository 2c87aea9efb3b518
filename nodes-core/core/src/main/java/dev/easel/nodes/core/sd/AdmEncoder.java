package dev.easel.nodes.core.sd;

import dev.easel.nodes.core.unet.UNetModel;
import dev.easel.runtime.TensorRef;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The "adm" vector {@code y} that SDXL UNets add to their time embedding (Podell et al. 2023, "SDXL: Improving Latent
 * Diffusion Models for High-Resolution Image Synthesis", §2.2 micro-conditioning): the pooled text embedding followed
 * by a 256-wide sinusoidal embedding (cos half first) of each size number. Base: height, width, crop_h, crop_w,
 * target_height, target_width; refiner: height, width, crop_h, crop_w, aesthetic score.
 *
 * <p>The numbers come from the conditioning's options (CLIPTextEncodeSDXL sets them); missing ones default as in the
 * reference: width and height to the latent's size in pixels (8× the latent), crops to 0, targets to width and
 * height, the aesthetic score to 6 for the positive prompt and 2.5 for the negative.
 */
public enum AdmEncoder {
    SDXL(List.of("height", "width", "crop_h", "crop_w", "target_height", "target_width")),
    SDXL_REFINER(List.of("height", "width", "crop_h", "crop_w", "aesthetic_score"));

    /** Width of each number's embedding. */
    public static final int NUMBER_EMBEDDING = 256;

    private final List<String> numbers;

    AdmEncoder(List<String> numbers) {
        this.numbers = numbers;
    }

    /** The width of {@code y} for a pooled output of {@code pooledWidth}. */
    public int width(int pooledWidth) {
        return pooledWidth + numbers.size() * NUMBER_EMBEDDING;
    }

    /**
     * {@code y} [rows of the pooled output, width] for one conditioning entry, attached to the caller's scope.
     *
     * @param options the entry's options ({@code pooled_output} and the size numbers)
     * @param latentHeight the sampled latent's height (the default height is 8× it)
     * @param latentWidth the sampled latent's width
     * @param negative whether the entry belongs to the negative prompt (the refiner's default aesthetic score)
     * @throws IllegalArgumentException when the entry has no pooled output
     */
    public Tensor encode(Map<String, Object> options, long latentHeight, long latentWidth, boolean negative) {
        if (!(options.get("pooled_output") instanceof TensorRef pooledRef)) {
            throw new IllegalArgumentException("this model needs the pooled text embedding (SDXL's adm input), but the "
                    + (negative ? "negative" : "positive") + " conditioning has none; encode the prompt with the "
                    + "model's own CLIP (CLIPTextEncode or CLIPTextEncodeSDXL)");
        }
        double width = number(options, "width", 8.0 * latentWidth);
        double height = number(options, "height", 8.0 * latentHeight);
        TensorVector parts = new TensorVector();
        Tensor pooled = pooledRef.tensor().to(ScalarType.Float);
        pooled = pooled.reshape(-1, pooled.size(-1));
        parts.push_back(pooled);
        for (String name : numbers) {
            double value = switch (name) {
                case "height" -> height;
                case "width" -> width;
                case "target_height" -> number(options, name, height);
                case "target_width" -> number(options, name, width);
                case "aesthetic_score" -> number(options, name, negative ? 2.5 : 6.0);
                default -> number(options, name, 0.0);
            };
            Tensor embedded = UNetModel.timestepEmbedding(Tensor.create(new float[] {(float) value}, 1),
                    NUMBER_EMBEDDING);
            parts.push_back(embedded.expand(pooled.size(0), NUMBER_EMBEDDING));
        }
        return torch.cat(parts, 1);
    }

    private static double number(Map<String, Object> options, String name, double fallback) {
        Object v = options.get(name);
        return v instanceof Number n ? n.doubleValue() : fallback;
    }
}
