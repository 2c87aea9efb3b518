package dev.easel.trainer.train;

import static org.bytedeco.pytorch.global.torch.mse_loss;

import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.unet.UNetConfig;
import dev.easel.nodes.core.unet.UNetModel;
import dev.easel.nodes.core.vae.AutoencoderKL;
import dev.easel.trainer.model.ModelParameters;
import dev.easel.trainer.model.ParamSpec;
import dev.easel.trainer.model.Sd1Layout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Trains the UNet and the text encoder jointly on latents of a frozen, trained VAE: DDPM ε-prediction with the
 * simple MSE loss (Ho et al. 2020) on SD1.x's scaled-linear schedule, in LDM's scaled latent space
 * ({@code z·scaleFactor}, Rombach et al. 2022). A step's latents are drawn from the VAE posteriors of its
 * {@link LatentBatch} (z = mean + std·ε), so whether the posteriors were encoded this step ({@link EncodedLatents}) or
 * once into a cache, the draws are the same. A fraction of the captions is replaced by the empty prompt so the same
 * model also learns the unconditional prediction classifier-free guidance needs (Ho &amp; Salimans 2022). The forward
 * runs through the core pack's {@link UNetModel} and {@link ClipTextModel}. The frozen VAE's weights are kept only for
 * the checkpoints (the shipped file holds all three models).
 */
public final class UNetTraining extends Training<LatentBatch> {

    /** Share of captions dropped to "" (LDM / SD fine-tunes use about 10%). */
    public static final double CAPTION_DROPOUT = 0.1;

    private final ModelParameters frozenVae;
    private final ClipTextModel clip;
    private final UNetModel unet;
    private final double scaleFactor;
    private final DdpmSchedule schedule = new DdpmSchedule();

    /**
     * A fresh UNet and text encoder, the VAE frozen.
     *
     * @param vaeWeights the trained VAE (full names, {@code first_stage_model.*}); copied
     * @param scaleFactor latent scale: latents are multiplied by it before noising (1 / their std)
     */
    public UNetTraining(ClipTextModel.Config clipConfig, UNetConfig unetConfig, Map<String, Tensor> vaeWeights,
            double scaleFactor, TrainSettings settings) {
        super(ModelParameters.fresh(specs(clipConfig, unetConfig), settings.seed()), settings);
        this.scaleFactor = scaleFactor;
        this.frozenVae = ModelParameters.copyOf(vaeWeights, false);
        StateDict unetView = params.view(Sd1Layout.UNET_PREFIX);
        try {
            unet = UNetModel.load(unetView);
        } finally {
            unetView.release();
        }
        clip = new ClipTextModel(params.view(Sd1Layout.CLIP_PREFIX), clipConfig); // takes the view over
    }

    private static List<ParamSpec> specs(ClipTextModel.Config clip, UNetConfig unet) {
        List<ParamSpec> all = new ArrayList<>(Sd1Layout.clip(clip));
        all.addAll(Sd1Layout.unet(unet));
        return all;
    }

    /**
     * LDM's choice of scale factor: 1 / the standard deviation of the VAE's latents (posterior means) over
     * {@code batches} batches of {@code source} (SD's 0.18215 came from the same measurement).
     */
    public static double measureScaleFactor(LatentSource source, int batches, int batchSize) {
        try (PointerScope scope = new PointerScope()) {
            List<Tensor> means = new ArrayList<>();
            for (int i = 0; i < batches; i++) {
                means.add(source.batch(i, batchSize).mean().flatten(0, -1));
            }
            return 1.0 / torch.cat(new TensorVector(means.toArray(new Tensor[0])), 0).std().item().toDouble();
        }
    }

    /** {@link #measureScaleFactor(LatentSource, int, int)} on {@code source}'s images encoded by {@code vae}. */
    public static double measureScaleFactor(AutoencoderKL vae, BatchSource source, int batches, int batchSize) {
        LatentSource encoded = (step, size) -> {
            Batch batch = source.batch(step, size);
            Posterior posterior = Posterior.encode(vae, batch.images());
            return new LatentBatch(posterior.mean(), posterior.std(), batch.captions());
        };
        return measureScaleFactor(encoded, batches, batchSize);
    }

    @Override
    protected Tensor loss(LatentBatch batch, Generator random) {
        GeneratorOptional g = new GeneratorOptional(random);
        TensorOptions f32 = new TensorOptions(ScalarType.Float);
        long b = batch.mean().size(0);
        // the draw order (latent noise, dropout, timesteps, ε) is part of the run: resumed and cached runs rely on it
        Tensor z = batch.mean().add(batch.std().mul(torch.randn(batch.mean().shape(), g, f32)))
                .mul(new Scalar(scaleFactor));
        float[] keep = new float[(int) b];
        torch.rand(new long[] {b}, g, f32).contiguous().data_ptr_float().get(keep);
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            captions.add(keep[i] < CAPTION_DROPOUT ? "" : batch.captions().get(i));
        }
        Tensor context = clip.forward(Captions.tokens(captions), -1, true).last();
        Tensor t = torch.randint(DdpmSchedule.STEPS, new long[] {b}, g, new TensorOptions(ScalarType.Long));
        Tensor eps = torch.randn(z.shape(), g, f32);
        Tensor prediction = unet.forward(schedule.noised(z, eps, t), t, context);
        return mse_loss(prediction, eps);
    }

    public double scaleFactor() {
        return scaleFactor;
    }

    @Override
    protected Map<String, Tensor> frozen() {
        return frozenVae.tensors();
    }

    @Override
    protected Map<String, String> extraState() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("part", "unet+clip");
        s.put("scale_factor", Double.toString(scaleFactor));
        s.put("clip_config", clip.config().toString());
        s.put("unet_config", unet.config().toString());
        return s;
    }

    @Override
    public void close() {
        unet.release();
        clip.release();
        frozenVae.close();
        super.close();
    }
}
