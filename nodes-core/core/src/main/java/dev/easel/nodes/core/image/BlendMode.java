package dev.easel.nodes.core.image;

import static dev.easel.nodes.core.tensor.TensorOps.rsub;
import static dev.easel.nodes.core.tensor.TensorOps.scalar;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The blend modes of ImageBlend, with the formulas of ComfyUI's comfy_extras/nodes_post_processing.py
 * ({@code Blend.blend_mode}); the operations are kept in the same order so float results match bit for bit. Soft light
 * is the W3C compositing formula (the {@code D(x)} helper there is {@link #softLightD}); difference is the signed
 * {@code img1 - img2}, clamped later by the node, as in ComfyUI.
 */
enum BlendMode {
    NORMAL {
        @Override
        Tensor apply(Tensor img1, Tensor img2) {
            return img2;
        }
    },
    MULTIPLY {
        @Override
        Tensor apply(Tensor img1, Tensor img2) {
            return img1.mul(img2);
        }
    },
    SCREEN {
        @Override
        Tensor apply(Tensor img1, Tensor img2) {
            return rsub(1, rsub(1, img1).mul(rsub(1, img2)));
        }
    },
    OVERLAY {
        @Override
        Tensor apply(Tensor img1, Tensor img2) {
            Tensor dark = img1.mul(scalar(2)).mul(img2);
            Tensor light = rsub(1, rsub(1, img1).mul(scalar(2)).mul(rsub(1, img2)));
            return torch.where(img1.le(scalar(0.5)), dark, light);
        }
    },
    SOFT_LIGHT {
        @Override
        Tensor apply(Tensor img1, Tensor img2) {
            // img1 - (1 - 2*img2) * img1 * (1 - img1)
            Tensor dark = img1.sub(rsub(1, img2.mul(scalar(2))).mul(img1).mul(rsub(1, img1)));
            // img1 + (2*img2 - 1) * (g(img1) - img1)
            Tensor light = img1.add(img2.mul(scalar(2)).sub(scalar(1)).mul(softLightD(img1).sub(img1)));
            return torch.where(img2.le(scalar(0.5)), dark, light);
        }
    },
    DIFFERENCE {
        @Override
        Tensor apply(Tensor img1, Tensor img2) {
            return img1.sub(img2);
        }
    };

    /** The blend of {@code img1} (the base) with {@code img2}, before mixing by the blend factor. */
    abstract Tensor apply(Tensor img1, Tensor img2);

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static List<String> labels() {
        return Arrays.stream(values()).map(BlendMode::label).toList();
    }

    static BlendMode of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }

    /** {@code where(x <= 0.25, ((16x - 12)x + 4)x, sqrt(x))}: ComfyUI's {@code Blend.g}. */
    private static Tensor softLightD(Tensor x) {
        Tensor cubic = x.mul(scalar(16)).sub(scalar(12)).mul(x).add(scalar(4)).mul(x);
        return torch.where(x.le(scalar(0.25)), cubic, x.sqrt());
    }
}
