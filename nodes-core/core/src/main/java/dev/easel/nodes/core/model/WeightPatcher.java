package dev.easel.nodes.core.model;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The patches in force on one {@link StateDict}'s weights. Models share their weights between every value made from
 * them (a MODEL with a LoRA and the same MODEL without share one UNet), so patches are applied in place, for as long
 * as a computation {@link #use uses} them: the first use of another set waits until the current set has no users,
 * then puts back the originals of the weights it changed and applies the new set. Only the changed weights are copied
 * (their originals, kept until they are restored); nothing is reloaded, and a set stays applied after its last use,
 * so running the same patched model again costs nothing (as ComfyUI's ModelPatcher keeps its patches between jobs).
 */
public final class WeightPatcher {

    private final StateDict weights;
    private WeightDeltas current = WeightDeltas.NONE;
    /** The originals of the weights {@link #current} changed, by key (each owned here). */
    private final Map<String, Tensor> originals = new HashMap<>();
    private int users;
    private boolean discarded;

    WeightPatcher(StateDict weights) {
        this.weights = weights;
    }

    /** A computation's hold on {@code deltas}: the weights read as patched by them until it is closed. */
    public interface Use extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Makes the weights those of {@code deltas} (waiting while computations use another set) and holds them so until
     * the returned use is closed.
     *
     * @throws CancellationException when the thread is interrupted while waiting (the interrupt flag stays set)
     */
    public synchronized Use use(WeightDeltas deltas) {
        if (discarded) {
            throw new IllegalStateException("the weights of " + weights.source() + " were freed");
        }
        while (users > 0 && !current.equals(deltas)) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for other patches of "
                        + weights.source() + " to finish");
            }
        }
        if (!current.equals(deltas)) {
            switchTo(deltas);
        }
        users++;
        boolean[] closed = {false};
        return () -> {
            synchronized (WeightPatcher.this) {
                if (!closed[0]) {
                    closed[0] = true;
                    users--;
                    WeightPatcher.this.notifyAll();
                }
            }
        };
    }

    /** Bytes held for restoring originals (the extra memory of the set in force). */
    public synchronized long originalBytes() {
        long bytes = 0;
        for (Tensor t : originals.values()) {
            bytes += t.nbytes();
        }
        return bytes;
    }

    private void switchTo(WeightDeltas deltas) {
        restore();
        try (PointerScope scope = new PointerScope()) {
            for (String key : deltas.keys()) {
                Tensor weight = weights.get(key);
                Tensor original = weight.clone();
                original.retainReference(); // kept beyond this scope until restored
                originals.put(key, original);
                deltas.addTo(key, weight);
            }
            current = deltas;
        } catch (RuntimeException e) {
            restore(); // a set that failed half way leaves the weights as loaded
            throw e;
        }
    }

    /** Puts the originals back (copied into the live tensors, which stay where placement put them). */
    private void restore() {
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, Tensor> e : originals.entrySet()) {
                weights.get(e.getKey()).copy_(e.getValue());
                e.getValue().releaseReference();
            }
        }
        originals.clear();
        current = WeightDeltas.NONE;
    }

    /** The dict was freed: drop the originals (the patched tensors are freed with it). */
    synchronized void discard() {
        originals.values().forEach(Tensor::releaseReference);
        originals.clear();
        discarded = true;
    }
}
