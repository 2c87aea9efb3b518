package dev.easel.nodes.core.sampling;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Everything a {@link Sampler} talks to during one sampling: the denoiser (calls counted), the noise source (requests
 * counted), the step listener, and native memory per step.
 *
 * <p>Memory: {@link #sample} runs the sampler inside a sampling scope. Each step opens a {@link Step}; what the step
 * creates dies with it unless the sampler carries it over ({@link Step#carry}), which moves it into the sampling
 * scope and frees the value it replaces. So a sampler holds only its current state, however many steps it takes.
 */
public final class SamplerRun {

    private final Denoiser denoiser;
    private final NoiseSource noise;
    private final StepListener listener;
    private final Map<Tensor, Integer> carried = new IdentityHashMap<>();
    private PointerScope samplingScope;
    private int totalSteps;
    private int modelCalls;
    private int noiseCalls;

    public SamplerRun(Denoiser denoiser, NoiseSource noise, StepListener listener) {
        this.denoiser = Objects.requireNonNull(denoiser, "denoiser");
        this.noise = noise;
        this.listener = listener == null ? StepListener.NONE : listener;
    }

    /**
     * Runs {@code sampler} from {@code x} down {@code sigmas}. The result belongs to the caller's scope; everything
     * else the sampler made is freed.
     */
    public Tensor sample(Sampler sampler, Tensor x, double[] sigmas) {
        if (samplingScope != null) {
            throw new IllegalStateException("a SamplerRun samples once");
        }
        totalSteps = Math.max(0, sigmas.length - 1);
        PointerScope caller = PointerScope.getInnerScope();
        try (PointerScope scope = new PointerScope()) {
            samplingScope = scope;
            Tensor result = sampler.sample(this, x, sigmas.clone());
            if (caller != null) {
                caller.attach(result);
            } else {
                result.retainReference();
            }
            return result;
        } finally {
            carried.clear();
        }
    }

    /** D(x, σ); counts one model call. */
    public Tensor denoise(Tensor x, double sigma) {
        return predict(x, sigma).denoised();
    }

    /** The guided and unconditional predictions at σ; counts one model call. */
    public Prediction predict(Tensor x, double sigma) {
        modelCalls++;
        return denoiser.predict(x, sigma);
    }

    /** Standard-normal noise for the step σ → σ_next. */
    public Tensor noise(double sigma, double sigmaNext) {
        if (noise == null) {
            throw new IllegalStateException("this sampling has no noise source");
        }
        noiseCalls++;
        return noise.next(sigma, sigmaNext);
    }

    /** Reports step {@code step} to the listener (which may cancel by throwing). */
    public void report(int step, Tensor x, Tensor denoised) {
        listener.onStep(step, totalSteps, x, denoised);
    }

    /** Opens the memory scope of one step. */
    public Step step() {
        if (samplingScope == null) {
            throw new IllegalStateException("steps exist only inside SamplerRun.sample");
        }
        return new Step();
    }

    /** Denoiser calls so far (NFE). */
    public int modelCalls() {
        return modelCalls;
    }

    /** Noise requests so far. */
    public int noiseCalls() {
        return noiseCalls;
    }

    /** The native-memory scope of one sampler step. */
    public final class Step implements AutoCloseable {

        private final PointerScope scope = new PointerScope();

        private Step() {
        }

        /**
         * Keeps {@code next} beyond this step and frees {@code previous} if an earlier step carried it.
         *
         * @return {@code next}
         */
        public Tensor carry(Tensor previous, Tensor next) {
            if (next == previous) {
                return next;
            }
            if (next != null) {
                samplingScope.attach(next);
                carried.merge(next, 1, Integer::sum);
            }
            if (previous != null) {
                Integer count = carried.get(previous);
                if (count != null) {
                    if (count == 1) {
                        carried.remove(previous);
                    } else {
                        carried.put(previous, count - 1);
                    }
                    samplingScope.detach(previous);
                }
            }
            return next;
        }

        /** Keeps {@code value} beyond this step (a new history entry). */
        public Tensor keep(Tensor value) {
            return carry(null, value);
        }

        /** Frees a value an earlier step kept (a history entry that fell out of use). */
        public void drop(Tensor value) {
            carry(value, null);
        }

        @Override
        public void close() {
            scope.close();
        }
    }
}
