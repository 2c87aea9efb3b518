package dev.easel.trainer.train;

import static org.bytedeco.pytorch.global.torch.l1_loss;

import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.vae.AutoencoderKL;
import dev.easel.nodes.core.vae.VaeConfig;
import dev.easel.trainer.model.ModelParameters;
import dev.easel.trainer.model.Sd1Layout;
import java.util.Map;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Trains the KL autoencoder with LDM's KL-f8 recipe (Rombach et al. 2022) minus its perceptual (LPIPS) and
 * adversarial (PatchGAN) terms: an L1 reconstruction of a posterior sample plus a small KL term towards N(0, I).
 * In LDM's units the loss is {@code Σ|x − x̂|/B + 1e-6·Σ KL/B}; here both are divided by the pixels per image, so the
 * reported loss is the mean absolute error plus the same relative KL weight. The forward runs through the core
 * pack's {@link AutoencoderKL} (its batch paths keep autograd).
 *
 * <p>With a crop size the autoencoder trains on random square crops (at multiples of 8, one position per batch), as
 * LDM trained its autoencoders on crops: it is fully convolutional (its mid-block attention works at any size), and
 * a 32-pixel crop costs a quarter of a 64-pixel image. Reconstructions are then made at full size.
 */
public final class VaeTraining extends Training<Batch> {

    /** LDM's KL weight (kl_weight = 1e-6 on per-image sums). */
    public static final double KL_WEIGHT = 1e-6;
    private static final String PREFIX = Sd1Layout.VAE_PREFIX;

    private final AutoencoderKL vae;
    private final int crop;

    /** A fresh VAE of {@code config}, weights seeded by the run's seed, trained on whole images. */
    public VaeTraining(VaeConfig config, TrainSettings settings) {
        this(config, settings, 0);
    }

    /**
     * A fresh VAE of {@code config} trained on random {@code crop}×{@code crop} crops (a positive multiple of 8), or
     * on whole images when {@code crop} is 0.
     */
    public VaeTraining(VaeConfig config, TrainSettings settings, int crop) {
        this(ModelParameters.fresh(Sd1Layout.vae(config), settings.seed()), settings, crop);
    }

    private VaeTraining(ModelParameters params, TrainSettings settings, int crop) {
        super(params, settings);
        if (crop < 0 || crop % 8 != 0) {
            throw new IllegalArgumentException("the crop size must be a positive multiple of 8 (or 0 for none), not "
                    + crop);
        }
        this.crop = crop;
        StateDict view = params.view(PREFIX);
        try {
            vae = AutoencoderKL.of(view);
        } finally {
            view.release();
        }
    }

    public AutoencoderKL model() {
        return vae;
    }

    @Override
    protected Tensor loss(Batch batch, Generator random) {
        Tensor x = cropped(batch.images(), random);
        int e = vae.config().embedDim();
        Tensor moments = vae.encodeBatch(x);
        Tensor mean = moments.narrow(1, 0, e);
        Tensor logvar = moments.narrow(1, e, e).clamp(new ScalarOptional(new Scalar(-30.0)),
                new ScalarOptional(new Scalar(20.0)));
        Tensor std = logvar.mul(new Scalar(0.5)).exp();
        Tensor noise = torch.randn(mean.shape(), new GeneratorOptional(random), new TensorOptions(ScalarType.Float));
        Tensor z = mean.add(std.mul(noise));
        Tensor reconstruction = vae.decodeBatch(z);
        Tensor rec = l1_loss(reconstruction, x);
        // KL(N(μ, σ²) ‖ N(0, 1)) summed over latent cells, averaged over the batch
        Tensor kl = mean.pow(new Scalar(2.0)).add(logvar.exp()).sub(new Scalar(1.0)).sub(logvar)
                .sum().mul(new Scalar(0.5 / x.size(0)));
        double pixelsPerImage = (double) x.numel() / x.size(0);
        return rec.add(kl.mul(new Scalar(KL_WEIGHT / pixelsPerImage)));
    }

    /** One random crop position for the whole batch, on the 8-pixel latent grid; the images as they are without. */
    private Tensor cropped(Tensor images, Generator random) {
        long height = images.size(2);
        long width = images.size(3);
        if (crop == 0 || crop >= height && crop >= width) {
            return images;
        }
        Tensor u = torch.rand(new long[] {2}, new GeneratorOptional(random), new TensorOptions(ScalarType.Float));
        long top = 8 * (long) Math.floor(u.get(0).item().toDouble() * ((height - crop) / 8 + 1));
        long left = 8 * (long) Math.floor(u.get(1).item().toDouble() * ((width - crop) / 8 + 1));
        return images.narrow(2, top, crop).narrow(3, left, crop);
    }

    @Override
    protected Map<String, String> extraState() {
        return Map.of("part", "vae", "config", vae.config().toString(), "crop", Integer.toString(crop));
    }

    @Override
    public void close() {
        vae.release();
        super.close();
    }
}
