package dev.easel.nodes.core.sd;

import dev.easel.node.FileFingerprint;
import dev.easel.nodes.core.clip.ClipTextModel;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.files.CheckpointReader;
import dev.easel.nodes.core.model.files.DetectedModel;
import dev.easel.nodes.core.model.files.ModelComponent;
import dev.easel.nodes.core.model.files.ModelDetector;
import dev.easel.nodes.core.model.files.ModelFamily;
import dev.easel.nodes.core.model.files.UnsupportedModelException;
import dev.easel.nodes.core.unet.CpuThreads;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import dev.easel.nodes.core.unet.Parameterization;
import dev.easel.nodes.core.unet.ShapeSource;
import dev.easel.nodes.core.unet.UNetConfig;
import dev.easel.nodes.core.unet.UNetModel;
import dev.easel.nodes.core.unet.UNetPatches;
import dev.easel.nodes.core.vae.AutoencoderKL;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Loads a single-file checkpoint into its three parts. The parts share the file's tensors (no copies beyond the one
 * float32 conversion); each part owns its weights and frees them when its last owner releases it.
 *
 * <p>Missing weights are errors naming the file and the weight. Weights of the file that no part uses are reported
 * the way ComfyUI does ("left over keys": a log line, and loading goes on): in {@link Parts#unexpectedKeys()} and as
 * a warning on the {@code easel.models} logger, leaving out what ComfyUI's SD1 loader drops on purpose
 * ({@link #isIgnored(String)}).
 */
public final class CheckpointLoading {

    private static final System.Logger LOG = System.getLogger("easel.models");

    /** How many left-over keys the warning names. */
    private static final int KEYS_IN_WARNING = 10;

    /**
     * The DDPM schedule buffers that LDM training code saves with every SD checkpoint ({@code register_schedule});
     * inference recomputes the schedule ({@link DiscreteSchedule#sd1()}), as ComfyUI does.
     */
    private static final Set<String> SCHEDULE_BUFFERS = Set.of("betas", "alphas_cumprod", "alphas_cumprod_prev",
            "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod",
            "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
            "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2");

    /**
     * The loaded parts, each with one (creation) owner.
     *
     * @param unexpectedKeys the file's weights that no part uses (sorted; empty for a clean SD1.x file), apart from
     *     the ones {@link #isIgnored(String)} names
     */
    public record Parts(DiffusionModel model, ClipModel clip, VaeModel vae, List<String> unexpectedKeys) {
        public Parts {
            unexpectedKeys = List.copyOf(unexpectedKeys);
        }

        /** Parts with no left-over keys. */
        public Parts(DiffusionModel model, ClipModel clip, VaeModel vae) {
            this(model, clip, vae, List.of());
        }
    }

    private CheckpointLoading() {
    }

    /**
     * Loads an SD1.x, SD2.x (512 or 768-v), SDXL base or SDXL refiner checkpoint.
     *
     * @throws UnsupportedModelException when the file is another kind of model, or lacks a text encoder or VAE
     * @throws IOException               when the file cannot be read (the message names the file and key)
     */
    public static Parts load(Path file, ScalarType dtype) throws IOException {
        StateDict all = CheckpointReader.read(file, dtype);
        try {
            DetectedModel detected = ModelDetector.detect(all);
            ModelFamily family = detected.family();
            String name = file.getFileName().toString();
            if (!CheckpointFamily.isCheckpoint(family)) {
                throw new UnsupportedModelException(name, "is a " + family.displayName()
                        + ", not a checkpoint; load it with its own loader node");
            }
            if (detected.variant().contains("unCLIP")) {
                throw new UnsupportedModelException(name, "unCLIP checkpoints are not supported yet");
            }
            boolean hasText = detected.has(ModelComponent.TEXT_ENCODER) || detected.has(ModelComponent.TEXT_ENCODER_2);
            if (!hasText || !detected.has(ModelComponent.VAE)) {
                throw new UnsupportedModelException(name, "holds a " + family.displayName() + " diffusion model"
                        + " without " + (hasText ? "a VAE" : "text encoders")
                        + "; CheckpointLoaderSimple needs a full checkpoint");
            }
            String identity = FileFingerprint.stamp(file);
            StateDict unetWeights = all.withPrefix(detected.prefix(ModelComponent.UNET));
            UNetModel unet = loadUnet(unetWeights, family);
            List<ClipTextModel> encoders = new ArrayList<>();
            AutoencoderKL vae = null;
            try {
                encoders.addAll(CheckpointFamily.loadTextEncoders(family, detected, all));
                vae = buildVae(file, all.withPrefix(detected.prefix(ModelComponent.VAE)));
                AdmEncoder adm = CheckpointFamily.adm(family);
                CheckpointFamily.requireAdmFits(name, unet, adm, encoders);
                AutoencoderKL probedVae = vae;
                probeAll(file, all, () -> encoders.forEach(CheckpointLoading::touchAllWeights),
                        () -> probeUnet(unet), () -> probeVae(probedVae));
                Parameterization parameterization = CheckpointFamily.parameterization(family, unet);
                List<String> unexpected = unexpectedKeys(all);
                if (!unexpected.isEmpty()) {
                    LOG.log(System.Logger.Level.WARNING, () -> describeLeftOver(file, unexpected));
                }
                DiffusionModel model = new DiffusionModel(unet, DiscreteSchedule.sd1(), parameterization,
                        CheckpointFamily.latentFormat(family), adm, identity + "#unet");
                ClipModel clip = new ClipModel(CheckpointFamily.towers(family, detected, encoders), identity + "#clip");
                return new Parts(model, clip, new VaeModel(vae, identity + "#vae"), unexpected);
            } catch (RuntimeException e) {
                unet.release();
                encoders.forEach(ClipTextModel::release);
                if (vae != null) {
                    vae.release();
                }
                throw e;
            }
        } finally {
            all.release();
        }
    }

    /**
     * True for the keys of a checkpoint that ComfyUI's loader drops without using: the DDPM schedule buffers, the
     * text encoders' {@code position_ids} buffer (it is {@code arange(77)}), OpenCLIP's {@code logit_scale} (the
     * contrastive loss's temperature) and EMA copies ({@code model_ema.*}).
     */
    public static boolean isIgnored(String key) {
        boolean textEncoder = key.startsWith("cond_stage_model.") || key.startsWith("conditioner.embedders.");
        return SCHEDULE_BUFFERS.contains(key)
                || key.startsWith("model_ema.")
                || textEncoder && (key.endsWith("embeddings.position_ids") || key.endsWith(".logit_scale"));
    }

    /**
     * The keys of {@code all} that no model has read (see {@link StateDict#usedKeys()}) and that are not ignored. A
     * module's {@code bias} counts as used when its {@code weight} was: the UNet checks its weights when it is built
     * but looks its (optional) biases up only as it computes.
     */
    static List<String> unexpectedKeys(StateDict all) {
        Set<String> used = all.usedKeys();
        List<String> out = new ArrayList<>();
        for (String key : all.keys()) { // sorted
            boolean biasOfUsedWeight = key.endsWith(".bias")
                    && used.contains(key.substring(0, key.length() - "bias".length()) + "weight");
            if (!used.contains(key) && !biasOfUsedWeight && !isIgnored(key)) {
                out.add(key);
            }
        }
        return out;
    }

    private static String describeLeftOver(Path file, List<String> keys) {
        return file.getFileName() + ": " + keys.size() + " left over key" + (keys.size() == 1 ? "" : "s")
                + " that no model uses: " + String.join(", ", keys.subList(0, Math.min(KEYS_IN_WARNING, keys.size())))
                + (keys.size() > KEYS_IN_WARNING ? " … (and " + (keys.size() - KEYS_IN_WARNING) + " more)" : "");
    }

    /**
     * The text encoder reads its weights by name as it computes, not when it is built. A one-token forward pass at
     * load reads each of them once, so that a missing weight fails now (naming the file and the key) rather than at
     * the first prompt, and so that {@link StateDict#usedKeys()} knows them. It costs one read of the weights.
     */
    private static void touchAllWeights(ClipTextModel clip) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Tensor token = torch.zeros(new long[] {1, 1}, new TensorOptions(ScalarType.Long));
            clip.forward(token, -1, true);
        }
    }

    /**
     * Runs the three {@link #probe probes}: the UNet's on this thread and, meanwhile, the text encoder's then the
     * VAE's on a helper thread, all with single-threaded ATen and OpenBLAS ({@link CpuThreads#serial}). Each is a
     * small, memory-bound pass over its model's weights and they share nothing, so the smaller two hide behind the
     * UNet's. When several fail, the first failure in the order text encoder, UNet, VAE is thrown.
     */
    private static void probeAll(Path file, StateDict all, Runnable clip, Runnable unet, Runnable vae) {
        Throwable[] failures = new Throwable[3];
        CpuThreads.serial(() -> {
            Thread helper = new Thread(() -> {
                failures[0] = attempt(() -> probe(file, all, clip));
                failures[2] = attempt(() -> probe(file, all, vae));
            }, "easel-probe-" + file.getFileName());
            helper.setDaemon(true);
            helper.start();
            failures[1] = attempt(() -> probe(file, all, unet));
            joinUninterruptibly(helper); // the helper uses the models: it must be done before they can be released
        });
        for (Throwable failure : failures) {
            if (failure instanceof RuntimeException r) {
                throw r;
            } else if (failure instanceof Error e) {
                throw e;
            } else if (failure != null) {
                throw new IllegalStateException(failure);
            }
        }
    }

    private static Throwable attempt(Runnable task) {
        try {
            task.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs a tiny computation through a model so that a weight of the wrong shape fails at load, with an error that
     * names the file, the layer and its weights' shapes, instead of in the middle of a workflow. Runs on the thread
     * that computes: the weight named in the error is the last one this thread read.
     */
    private static void probe(Path file, StateDict all, Runnable computation) {
        try {
            computation.run();
        } catch (StateDict.MissingWeightException e) {
            throw e;
        } catch (RuntimeException e) {
            String key = StateDict.lastAccessedKey();
            if (key == null) {
                throw e;
            }
            String layer = key.replaceAll("\\.(weight|bias)$", "");
            List<String> shapes = new ArrayList<>();
            for (String name : all.keys()) {
                if (name.startsWith(layer + ".")) {
                    shapes.add(name + " " + java.util.Arrays.toString(all.get(name).shape()));
                }
            }
            String cause = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new IllegalArgumentException(file.getFileName() + ": the weights of '" + layer
                    + "' do not fit the model (" + String.join(", ", shapes) + "): " + cause, e);
        }
    }

    /**
     * One UNet step on a 1×1 latent with a one-token context: every layer still runs, so every weight's shape is
     * checked, and the down-sampling convolutions map 1×1 to 1×1. Its cost is about one pass over the weights
     * (0.6–0.7 s of CPU for SD1.5 on the 2-core test machine, single-threaded, against 0.9–1.1 s for an 8×8 latent
     * and a 77-token context), most of it OpenBLAS packing each convolution's weight.
     */
    private static void probeUnet(UNetModel unet) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            var config = unet.config();
            Tensor x = torch.zeros(1, config.inChannels(), 1, 1);
            Tensor t = torch.ones(1);
            Tensor context = config.contextDim() == null ? null : torch.zeros(1, 1, config.contextDim());
            Tensor y = config.admInChannels() == null ? null : torch.zeros(1, config.admInChannels());
            unet.forward(x, t, context, y, UNetPatches.NONE);
        }
    }

    /** A decode of one latent pixel and an encode of an 8×8 image. */
    private static void probeVae(AutoencoderKL vae) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            vae.decode(torch.zeros(1, vae.config().zChannels(), 1, 1));
            vae.encode(torch.zeros(1, 8, 8, 3));
        }
    }

    /** The VAE over {@code weights} (released here); shape or key problems name the file. */
    private static AutoencoderKL buildVae(Path file, StateDict weights) {
        try {
            return AutoencoderKL.of(weights);
        } catch (StateDict.MissingWeightException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file.getFileName() + " (" + weights.keyPrefix() + "*): "
                    + e.getMessage(), e);
        } finally {
            weights.release();
        }
    }

    /** A stand-alone VAE file, or the VAE of a checkpoint. */
    public static VaeModel loadVae(Path file, ScalarType dtype) throws IOException {
        StateDict all = CheckpointReader.read(file, dtype);
        try {
            DetectedModel detected = ModelDetector.detect(all);
            if (!detected.has(ModelComponent.VAE)) {
                throw new UnsupportedModelException(file.getFileName().toString(), "holds no VAE ("
                        + detected.family().displayName() + ")");
            }
            AutoencoderKL vae = buildVae(file, all.withPrefix(detected.prefix(ModelComponent.VAE)));
            try {
                return new VaeModel(vae, FileFingerprint.stamp(file) + "#vae");
            } catch (IOException | RuntimeException e) {
                vae.release();
                throw e;
            }
        } finally {
            all.release();
        }
    }

    private static UNetModel loadUnet(StateDict weights, ModelFamily family) {
        try {
            return UNetModel.load(weights, UNetConfig.fromStateDict(ShapeSource.of(weights),
                    CheckpointFamily.heads(family, weights)));
        } finally {
            weights.release();
        }
    }
}
