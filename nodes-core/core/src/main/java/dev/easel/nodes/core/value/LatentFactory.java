package dev.easel.nodes.core.value;

import dev.easel.node.PersistableFactory;
import dev.easel.runtime.TensorRef;
import java.util.Map;

/** Rebuilds a {@link Latent} from the parts the disk cache stored ({@code samples}, optional {@code noise_mask}). */
public final class LatentFactory implements PersistableFactory {

    @Override
    public String type() {
        return Latent.PERSISTENT_TYPE;
    }

    @Override
    public Object restore(Map<String, Object> parts, Map<String, String> fields) {
        TensorRef samples = tensor(parts, Latent.SAMPLES);
        if (samples == null) {
            throw new IllegalArgumentException("a stored latent needs its '" + Latent.SAMPLES + "' part");
        }
        TensorRef mask = tensor(parts, Latent.NOISE_MASK);
        Latent latent = mask == null ? Latent.of(samples) : Latent.of(samples, mask);
        latent.retain(); // the parts stay the caller's; the latent takes its own reference (PersistableFactory)
        return latent;
    }

    private static TensorRef tensor(Map<String, Object> parts, String name) {
        Object part = parts.get(name);
        if (part == null || part instanceof TensorRef) {
            return (TensorRef) part;
        }
        throw new IllegalArgumentException("latent part '" + name + "' is a " + part.getClass().getName()
                + ", not a tensor");
    }
}
