package dev.easel.trainer.train;

import static org.bytedeco.pytorch.global.torch.clip_grad_norm_;

import dev.easel.trainer.model.ModelParameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;

/**
 * One optimisation run over a set of trainable weights: AdamW (Loshchilov &amp; Hutter 2019), global gradient-norm
 * clipping, an {@link Ema} of the weights, and a step counter. Subclasses define the loss. Each {@link #step} runs
 * in its own {@link PointerScope}, so every tensor of the forward and backward pass is freed when it returns.
 *
 * @param <B> what one step trains on (images for the VAE, latent posteriors for the UNet)
 */
public abstract class Training<B> implements AutoCloseable {

    /** Names in a checkpoint's weight file: the trainable weights, their EMA, frozen weights. */
    public static final String PARAM = "param/";
    public static final String EMA = "ema/";
    public static final String FROZEN = "frozen/";

    protected final TrainSettings settings;
    protected final ModelParameters params;
    private final Ema ema;
    private final AdamW optimizer;
    private long step;
    /** Wall time spent in {@link #step}, summed over every session of this run (saved in checkpoints). */
    private double stepSeconds;

    protected Training(ModelParameters params, TrainSettings settings) {
        this.settings = settings;
        this.params = params;
        this.ema = new Ema(params, settings.emaDecay());
        try (PointerScope scope = new PointerScope()) {
            AdamWOptions options = new AdamWOptions(settings.lr());
            options.weight_decay().put(settings.weightDecay());
            AdamW opt = new AdamW(params.vector(), options);
            opt.retainReference(); // the optimizer lives as long as this run
            this.optimizer = opt;
        }
    }

    /** The loss of {@code batch} with autograd attached; draws randomness only from {@code random}. */
    protected abstract Tensor loss(B batch, Generator random);

    /** Frozen weights to keep in checkpoints (none by default). */
    protected Map<String, Tensor> frozen() {
        return Map.of();
    }

    /** Run-specific values for the checkpoint's state (besides step and settings). */
    protected Map<String, String> extraState() {
        return Map.of();
    }

    /** One optimizer step on {@code batch}; returns the loss before the update. */
    public double step(B batch) {
        long started = System.nanoTime();
        try (PointerScope scope = new PointerScope()) {
            setLearningRate(settings.lrAt(step));
            optimizer.zero_grad(true);
            Tensor loss = loss(batch, StepRandom.generator(settings.seed(), step));
            loss.backward();
            clip_grad_norm_(params.vector(), settings.gradClip());
            optimizer.step();
            ema.update(params, step);
            step++;
            double value = loss.item().toDouble();
            stepSeconds += (System.nanoTime() - started) / 1e9;
            return value;
        }
    }

    /** Sets every parameter group's rate (a resumed optimizer's groups carry the rate saved with them). */
    private void setLearningRate(double lr) {
        var groups = optimizer.param_groups();
        for (long i = 0; i < groups.size(); i++) {
            groups.get(i).options().set_lr(lr);
        }
    }

    /** The learning rate the last step used (the settings' schedule at that step). */
    public double learningRate() {
        return optimizer.param_groups().get(0).options().get_lr();
    }

    /**
     * The loss of {@code batch} under the current weights, without training: the draws come from the generator of
     * step {@code drawStep}, so evaluating the same batch and draw step before and after training compares like with
     * like.
     */
    public double evaluate(B batch, long drawStep) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            return loss(batch, StepRandom.generator(settings.seed(), drawStep)).item().toDouble();
        }
    }

    /**
     * Wall time spent in optimizer steps by this run so far, over all its sessions (checkpoints written before this
     * was recorded count from when they were resumed).
     */
    public double stepSeconds() {
        return stepSeconds;
    }

    /** Optimizer steps done so far. */
    public long steps() {
        return step;
    }

    public ModelParameters parameters() {
        return params;
    }

    public Ema ema() {
        return ema;
    }

    public TrainSettings settings() {
        return settings;
    }

    /** Writes weights, EMA, frozen weights, state and the optimizer's moments into the (new, empty) folder. */
    void writeTo(Path dir) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        params.tensors().forEach((n, t) -> tensors.put(PARAM + n, t));
        ema.weights().tensors().forEach((n, t) -> tensors.put(EMA + n, t));
        frozen().forEach((n, t) -> tensors.put(FROZEN + n, t));
        Map<String, String> state = new LinkedHashMap<>(extraState());
        state.put("step", Long.toString(step));
        state.put("step_seconds", String.format(java.util.Locale.ROOT, "%.1f", stepSeconds));
        state.put("seed", Long.toString(settings.seed()));
        state.put("lr", Double.toString(settings.lr()));
        if (settings.decayFrom() != Long.MAX_VALUE) {
            state.put("lr_decay", settings.decayFrom() + ".." + settings.decayTo());
        }
        state.put("rng", "per-step generator seeded from (seed, step)");
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> detached = new LinkedHashMap<>();
            tensors.forEach((n, t) -> detached.put(n, t.detach()));
            dev.easel.runtime.safetensors.SafetensorsWriter.write(dir.resolve(Checkpoints.WEIGHTS), detached, state);
            OutputArchive archive = new OutputArchive();
            optimizer.save(archive);
            archive.save_to(dir.resolve(Checkpoints.OPTIMIZER).toString());
        }
    }

    /** Restores what {@link #writeTo} wrote (the weights must have the same names and shapes). */
    void readFrom(Checkpoints.Loaded loaded) {
        params.load(loaded.under(PARAM));
        ema.weights().load(loaded.under(EMA));
        step = Long.parseLong(loaded.state().get("step"));
        stepSeconds = Double.parseDouble(loaded.state().getOrDefault("step_seconds", "0"));
        try (PointerScope scope = new PointerScope()) {
            InputArchive archive = new InputArchive();
            archive.load_from(loaded.dir().resolve(Checkpoints.OPTIMIZER).toString());
            optimizer.load(archive);
        }
    }

    @Override
    public void close() {
        optimizer.releaseReference();
        ema.close();
        params.close();
    }
}
