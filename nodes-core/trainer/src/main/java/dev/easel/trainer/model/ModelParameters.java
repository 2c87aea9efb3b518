package dev.easel.trainer.model;

import dev.easel.nodes.core.model.StateDict;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Named float32 weights owned explicitly, outside any {@link PointerScope}: each tensor holds one reference that
 * {@link #close()} gives back, so native memory never waits for the GC. Trainable sets are leaf tensors with
 * {@code requires_grad}; {@link #view} hands them to the core pack's model code as a {@link StateDict} that shares
 * the same tensors, so gradients flow into these leaves and optimizer updates are seen by the models.
 */
public final class ModelParameters implements AutoCloseable {

    private final Map<String, Tensor> tensors;
    private boolean closed;

    private ModelParameters(Map<String, Tensor> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * A fresh model: every weight initialised as its {@link ParamSpec.Init} says, from one CPU generator seeded with
     * {@code seed} and drawn in the specs' order (so the same seed gives the same weights).
     */
    public static ModelParameters fresh(List<ParamSpec> specs, long seed) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Generator g = torch.make_generator_cpu(seed);
            GeneratorOptional gen = new GeneratorOptional(g);
            for (ParamSpec spec : specs) {
                Tensor t = torch.zeros(spec.shape(), new TensorOptions(ScalarType.Float));
                switch (spec.init()) {
                    case ZEROS -> t.zero_();
                    case ONES -> t.fill_(new org.bytedeco.pytorch.Scalar(1.0));
                    case TOKEN_EMBEDDING -> t.normal_(0.0, 0.02, gen);
                    case POSITION_EMBEDDING -> t.normal_(0.0, 0.01, gen);
                    case KAIMING_UNIFORM -> {
                        long fanIn = spec.numel() / spec.shape()[0];
                        double bound = 1.0 / Math.sqrt(fanIn); // kaiming_uniform(a=√5): √(6/((1+5)·fan_in))
                        t.uniform_(-bound, bound, gen);
                    }
                    default -> throw new IllegalStateException(spec.init().toString());
                }
                out.put(spec.name(), own(t));
            }
            for (Tensor t : out.values()) {
                t.requires_grad_(true);
            }
        }
        return new ModelParameters(out);
    }

    /**
     * Copies of {@code source} (float32, contiguous), as trainable leaves when {@code trainable}, else as plain
     * tensors (frozen weights, EMA shadows).
     */
    public static ModelParameters copyOf(Map<String, Tensor> source, boolean trainable) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            source.forEach((name, t) -> out.put(name, own(t.detach().to(ScalarType.Float).clone().contiguous())));
            if (trainable) {
                for (Tensor t : out.values()) {
                    t.requires_grad_(true);
                }
            }
        }
        return new ModelParameters(out);
    }

    /** A handle on {@code t}'s storage that no scope owns (one reference, given back by {@link #close()}). */
    private static Tensor own(Tensor t) {
        Tensor handle = new Tensor(t); // a new C++ handle on the same TensorImpl
        handle.retainReference(); // outlives the current scope
        return handle;
    }

    /** The weights by full name (borrowed: valid until {@link #close()}). */
    public Map<String, Tensor> tensors() {
        requireOpen();
        return tensors;
    }

    /** The weights whose names start with {@code prefix}, prefix kept. */
    public Map<String, Tensor> withPrefix(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors().forEach((name, t) -> {
            if (name.startsWith(prefix)) {
                out.put(name, t);
            }
        });
        return out;
    }

    /** The tensors, in order, for an optimizer (a vector attached to the caller's scope). */
    public TensorVector vector() {
        return new TensorVector(tensors().values().toArray(new Tensor[0]));
    }

    /**
     * The weights under {@code prefix}, prefix removed, as a state dict sharing these tensors (for
     * {@code UNetModel.load}, {@code AutoencoderKL.of}, {@code new ClipTextModel}). The caller releases it.
     */
    public StateDict view(String prefix) {
        StateDict all = StateDict.of("trainer", tensors());
        try {
            return all.withPrefix(prefix);
        } finally {
            all.release();
        }
    }

    /** Number of scalar parameters. */
    public long count() {
        long n = 0;
        for (Tensor t : tensors().values()) {
            n += t.numel();
        }
        return n;
    }

    /** Number of scalar parameters under {@code prefix}. */
    public long count(String prefix) {
        long n = 0;
        for (Map.Entry<String, Tensor> e : tensors().entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                n += e.getValue().numel();
            }
        }
        return n;
    }

    /** Overwrites every weight with the same-named tensor of {@code values} (no autograd record). */
    public void load(Map<String, Tensor> values) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            tensors().forEach((name, t) -> {
                Tensor v = values.get(name);
                if (v == null) {
                    throw new IllegalArgumentException("no value for weight " + name);
                }
                t.copy_(v);
            });
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("parameters were closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            tensors.values().forEach(Tensor::releaseReference);
        }
    }
}
