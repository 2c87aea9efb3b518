package dev.easel.nodes.core.value;

import dev.easel.node.ContentHashable;
import dev.easel.node.Persistable;
import dev.easel.runtime.TensorRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A LATENT value: ComfyUI's {@code {"samples": [B, C, H/8, W/8], "noise_mask"?: [B, 1, H, W]}} dict.
 *
 * <p>It owns no memory of its own: {@link #retain()} and {@link #release()} pass through to its tensors, so a latent
 * that shares {@code samples} with another (a node that only adds a noise mask) counts correctly on the shared
 * tensor. Immutable; build variants with {@link #withNoiseMask}.
 *
 * <p>The disk cache stores it as type {@value #PERSISTENT_TYPE} with the parts {@code samples} and {@code noise_mask};
 * {@link LatentFactory} rebuilds it.
 */
public final class Latent implements Persistable, ContentHashable {

    /** {@link #persistentType()}: the id {@link LatentFactory} restores. */
    public static final String PERSISTENT_TYPE = "easel.latent";
    static final String SAMPLES = "samples";
    static final String NOISE_MASK = "noise_mask";

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

    /** SHA-256 over the tensors' own content hashes, so a latent with a mask never equals one without. */
    @Override
    public String contentHash() {
        String text = "easel.latent.v1\n" + samples.contentHash() + "\n"
                + (noiseMask == null ? "-" : noiseMask.contentHash()) + "\n";
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public String persistentType() {
        return PERSISTENT_TYPE;
    }

    @Override
    public Map<String, Object> parts() {
        Map<String, Object> parts = new LinkedHashMap<>();
        parts.put(SAMPLES, samples);
        if (noiseMask != null) {
            parts.put(NOISE_MASK, noiseMask);
        }
        return parts;
    }

    @Override
    public Map<String, String> fields() {
        return Map.of();
    }

    @Override
    public String toString() {
        return noiseMask == null
                ? "Latent{samples=" + samples + "}"
                : "Latent{samples=" + samples + ", noise_mask=" + noiseMask + "}";
    }
}
