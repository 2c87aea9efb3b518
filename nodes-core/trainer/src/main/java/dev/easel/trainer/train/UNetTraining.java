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
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Trains the UNet and the text encoder jointly on latents of a frozen, trained VAE: DDPM ε-prediction with the
 * simple MSE loss (Ho et al. 2020) on SD1.x's scaled-linear schedule, in LDM's scaled latent space
 * ({@code z·scaleFactor}, Rombach et al. 2022). A fraction of the captions is replaced by the empty prompt so the
 * same model also learns the unconditional prediction classifier-free guidance needs (Ho &amp; Salimans 2022). The
 * forward runs through the core pack's {@link UNetModel} and {@link ClipTextModel}.
 */
public final class UNetTraining extends Training {

    /** Share of captions dropped to "" (LDM / SD fine-tunes use about 10%). */
    public static final double CAPTION_DROPOUT = 0.1;

    private final ModelParameters frozenVae;
    private final AutoencoderKL vae;
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
        StateDict vaeView = frozenVae.view(Sd1Layout.VAE_PREFIX);
        StateDict unetView = params.view(Sd1Layout.UNET_PREFIX);
        try {
            vae = AutoencoderKL.of(vaeView);
            unet = UNetModel.load(unetView);
        } finally {
            vaeView.release();
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
    public static double measureScaleFactor(AutoencoderKL vae, BatchSource source, int batches, int batchSize) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            List<Tensor> means = new ArrayList<>();
            int e = vae.config().embedDim();
            for (int i = 0; i < batches; i++) {
                means.add(vae.encodeBatch(source.batch(i, batchSize).images()).narrow(1, 0, e).flatten(0, -1));
            }
            double std = torch.cat(new org.bytedeco.pytorch.TensorVector(means.toArray(new Tensor[0])), 0)
                    .std().item().toDouble();
            return 1.0 / std;
        }
    }

    @Override
    protected Tensor loss(Batch batch, Generator random) {
        GeneratorOptional g = new GeneratorOptional(random);
        TensorOptions f32 = new TensorOptions(ScalarType.Float);
        long b = batch.images().size(0);
        Tensor z;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            int e = vae.config().embedDim();
            Tensor moments = vae.encodeBatch(batch.images());
            Tensor mean = moments.narrow(1, 0, e);
            Tensor std = moments.narrow(1, e, e).clamp(new ScalarOptional(new Scalar(-30.0)),
                    new ScalarOptional(new Scalar(20.0))).mul(new Scalar(0.5)).exp();
            z = mean.add(std.mul(torch.randn(mean.shape(), g, f32))).mul(new Scalar(scaleFactor));
        }
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
        vae.release();
        frozenVae.close();
        super.close();
    }
}
