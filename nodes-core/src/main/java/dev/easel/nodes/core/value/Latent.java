package dev.easel.nodes.core.value;

import dev.easel.node.RefCounted;
import dev.easel.runtime.TensorRef;
import java.util.Objects;
import java.util.Optional;

/**
 * A LATENT value: ComfyUI's {@code {"samples": [B, C, H/8, W/8], "noise_mask"?: [B, 1, H, W]}} dict.
 *
 * <p>It owns no memory of its own: {@link #retain()} and {@link #release()} pass through to its tensors, so a latent
 * that shares {@code samples} with another (a node that only adds a noise mask) counts correctly on the shared
 * tensor. Immutable; build variants with {@link #withNoiseMask}.
 */
public final class Latent implements RefCounted {

    private final TensorRef samples;
    private final TensorRef noiseMask;

    private Latent(TensorRef samples, TensorRef noiseMask) {
        this.samples = Objects.requireNonNull(samples, "samples");
        this.noiseMask = noiseMask;
    }

    /** A latent of {@code samples} only. */
    public static Latent of(TensorRef samples) {
        return new Latent(samples, null);
    }

    /** A latent with an inpainting mask: where it is 1 the sampler may change the latent. */
    public static Latent of(TensorRef samples, TensorRef noiseMask) {
        return new Latent(samples, Objects.requireNonNull(noiseMask, "noiseMask"));
    }

    public TensorRef samples() {
        return samples;
    }

    public Optional<TensorRef> noiseMask() {
        return Optional.ofNullable(noiseMask);
    }

    /** The same samples with {@code mask} as the noise mask. */
    public Latent withNoiseMask(TensorRef mask) {
        return of(samples, mask);
    }

    @Override
    public void retain() {
        samples.retain();
        if (noiseMask != null) {
            try {
                noiseMask.retain();
            } catch (RuntimeException e) {
                samples.release();
                throw e;
            }
        }
    }

    @Override
    public void release() {
        try {
            samples.release();
        } finally {
            if (noiseMask != null) {
                noiseMask.release();
            }
        }
    }

    @Override
    public long nativeBytes() {
        return samples.nativeBytes() + (noiseMask == null ? 0 : noiseMask.nativeBytes());
    }

    @Override
    public String toString() {
        return noiseMask == null
                ? "Latent{samples=" + samples + "}"
                : "Latent{samples=" + samples + ", noise_mask=" + noiseMask + "}";
    }
}
