package dev.easel.nodes.core.sampling;

import dev.easel.node.NodeContext;
import dev.easel.nodes.core.sampling.guidance.Guider;
import dev.easel.nodes.core.sampling.guidance.InpaintDenoiser;
import dev.easel.nodes.core.sampling.noise.InitialNoise;
import dev.easel.nodes.core.sampling.noise.NoiseSources;
import dev.easel.nodes.core.sd.ModelUse;
import dev.easel.nodes.core.value.Latent;
import dev.easel.nodes.core.vae.LatentFormat;
import dev.easel.runtime.TensorRef;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * One sampling of a latent, what every sampler node shares (the reference's common_ksampler → CFGGuider.sample →
 * KSAMPLER.sample): the latent into model space, the start point noise·σ₀ (noise·√(1 + σ₀²) at "max denoise", when
 * σ₀ is the model's σ_max) plus the latent, the inpainting mask, the sampler's default noise, progress and
 * cancellation at every step with previews (at most ten a second), and the result back in VAE space. The returned
 * latents keep the input's noise mask.
 */
public final class LatentSampling {

    /**
     * At most ten previews a second: a viewer sees no more, and on fast steps (a small model, a small latent) making
     * a preview every step would cost more than the sampler itself.
     */
    static final long PREVIEW_INTERVAL_NANOS = 100_000_000L;

    private LatentSampling() {
    }

    /**
     * What a sampling gives: the final latent, and the denoised prediction of the last step (SamplerCustom's
     * {@code denoised_output}; the final latent when no step ran).
     */
    public record Sampled(Latent output, Latent denoised) {
    }

    /**
     * @param guider the model and conditionings
     * @param sampler the algorithm
     * @param sigmas the schedule; empty → the latent is returned as it is
     * @param latent the input latent (VAE space), with an optional noise mask
     * @param noise the initial noise and the seed of the sampler's own noise
     * @param context progress, previews and cancellation (may be null)
     * @return the sampled latents, owned by the caller's scope
     */
    public static Sampled sample(Guider guider, SamplerInfo sampler, double[] sigmas, Latent latent, Noise noise,
            NodeContext context) {
        return sample(guider, sampler, sigmas, latent, noise, context, null);
    }

    /** As above; {@code noiseOverride} replaces the sampler's default noise (tests inject recorded noise). */
    static Sampled sample(Guider guider, SamplerInfo sampler, double[] sigmas, Latent latent, Noise noise,
            NodeContext context, NoiseSource noiseOverride) {
        if (sigmas.length == 0) {
            return new Sampled(latent, latent);
        }
        LatentFormat format = guider.latentFormat();
        PointerScope caller = PointerScope.getInnerScope();
        try (PointerScope scope = new PointerScope(); ModelUse use = ModelUse.of(context, guider.models());
                var patched = guider.usePatches()) {
            // sampling runs where the model's weights are (the compute device once placed); results go to the host
            Device device = new Device(guider.models().isEmpty() ? "cpu" : guider.models().get(0).device());
            Tensor samples = latent.samples().tensor().to(device, ScalarType.Float);
            if (samples.dim() != 4 || samples.size(1) != format.latentChannels()) {
                throw new IllegalArgumentException("latent_image has shape " + Arrays.toString(samples.shape())
                        + "; this model samples latents [batch, " + format.latentChannels() + ", height, width]");
            }
            Tensor latentImage = format.processIn(samples);
            long[] shape = latentImage.shape();
            Tensor initialNoise = noise.generate(shape).to(latentImage);

            Tensor mask = latent.noiseMask().isEmpty() ? null
                    : denoiseMask(latent.noiseMask().get().tensor(), shape).to(latentImage);
            Denoiser denoiser = guider.denoiser(sampler.needsUncond(), new Guider.SampledLatent(latentImage, mask));
            if (mask != null) {
                Tensor inpaintNoise = sampler.randomInpaintNoise()
                        ? InitialNoise.of(noise.seed() + 1, shape).to(latentImage) : initialNoise;
                denoiser = new InpaintDenoiser(denoiser, mask, latentImage, inpaintNoise);
            }

            double sigma0 = sigmas[0];
            double sigmaMax = guider.schedule().sigmaMax();
            boolean maxDenoise = sigma0 > sigmaMax || Math.abs(sigma0 - sigmaMax) <= 1e-5 * Math.max(sigma0, sigmaMax);
            Tensor x = initialNoise.mul(new Scalar(maxDenoise ? Math.sqrt(1.0 + sigma0 * sigma0) : sigma0))
                    .add(latentImage);

            NoiseSource noiseSource = noiseOverride != null ? noiseOverride
                    : NoiseSources.forSampler(sampler.noise(), noise.seed(), x, sigmas);
            try (LatentPreview preview = new LatentPreview(format)) {
                Tensor[] lastDenoised = {null};
                long[] lastPreview = {0};
                StepListener listener = (step, total, xs, denoised) -> {
                    Tensor kept = denoised.clone();
                    scope.attach(kept);
                    if (lastDenoised[0] != null) {
                        scope.detach(lastDenoised[0]);
                    }
                    lastDenoised[0] = kept;
                    if (context != null) {
                        long now = System.nanoTime();
                        if (step == 0 || now - lastPreview[0] >= PREVIEW_INTERVAL_NANOS) {
                            lastPreview[0] = now;
                            context.progress(step + 1, total, preview.of(denoised));
                        } else {
                            context.progress(step + 1, total);
                        }
                    }
                };
                if (context != null) {
                    context.checkCancelled();
                }
                Tensor result = new SamplerRun(denoiser, noiseSource, listener).sample(sampler.sampler(), x, sigmas);
                Tensor out = format.processOut(result).cpu();
                Tensor denoisedOut = lastDenoised[0] == null ? out : format.processOut(lastDenoised[0]).cpu();
                return new Sampled(toCaller(out, latent, caller), toCaller(denoisedOut, latent, caller));
            } finally {
                if (noiseSource instanceof AutoCloseable closeable) {
                    closeQuietly(closeable);
                }
            }
        }
    }

    private static Latent toCaller(Tensor samples, Latent input, PointerScope caller) {
        if (caller != null) {
            caller.attach(samples);
        } else {
            samples.retainReference();
        }
        return input.noiseMask().isPresent()
                ? Latent.of(TensorRef.of(samples), input.noiseMask().get())
                : Latent.of(TensorRef.of(samples));
    }

    /**
     * A noise mask [B?, 1?, h, w] at any resolution → the latent's shape: bilinear resize, repeated over channels
     * and batch (the reference's prepare_mask; values stay fractional).
     */
    static Tensor denoiseMask(Tensor noiseMask, long[] latentShape) {
        Tensor m = noiseMask.to(ScalarType.Float);
        m = m.reshape(-1, 1, m.size(-2), m.size(-1));
        Tensor resized = torch.upsample_bilinear2d(m, new long[] {latentShape[2], latentShape[3]}, false);
        TensorVector channels = new TensorVector();
        for (long c = 0; c < latentShape[1]; c++) {
            channels.push_back(resized);
        }
        Tensor perChannel = torch.cat(channels, 1);
        long batch = latentShape[0];
        long n = perChannel.size(0);
        if (n != batch) {
            perChannel = perChannel.repeat((batch + n - 1) / n, 1, 1, 1).narrow(0, 0, batch);
        }
        if (!Arrays.equals(perChannel.shape(), latentShape)) {
            throw new IllegalArgumentException("noise mask " + Arrays.toString(noiseMask.shape())
                    + " does not fit the latent " + Arrays.toString(latentShape));
        }
        return perChannel;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the noise source failed", e);
        }
    }
}
