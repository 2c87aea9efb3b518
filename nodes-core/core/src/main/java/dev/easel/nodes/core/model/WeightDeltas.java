package dev.easel.nodes.core.model;

import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * Changes to some weights of a {@link StateDict} (LoRA patches), applied in place by its {@link WeightPatcher}. Equal
 * sets (by {@link #equals}) mean the same weights, so a patcher already holding one needs no work for the other.
 */
public interface WeightDeltas {

    /** No changes: the weights as loaded. */
    WeightDeltas NONE = new WeightDeltas() {
        @Override
        public Set<String> keys() {
            return Set.of();
        }

        @Override
        public void addTo(String key, Tensor weight) {
        }

        @Override
        public String toString() {
            return "no patches";
        }
    };

    /** The weights (by their names in the dict) this set changes. */
    Set<String> keys();

    /** Adds this set's change of {@code key} to {@code weight}, in place. */
    void addTo(String key, Tensor weight);
}
