package dev.easel.nodes.core.lora;

import dev.easel.nodes.core.model.WeightDeltas;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The LoRAs applied to one model part (the UNet, or one text tower), in the order they were added, as the
 * {@link WeightDeltas} of that part's weights: weight {@code prefix + key} gets every pair's delta for it, at its
 * LoRA's strength. Several LoRAs on one weight add up. Two sets are equal when they hold the same LoRA files (the same
 * read, by identity) at the same strengths.
 */
public final class LoraPatches implements WeightDeltas {

    /** One LoRA file at one strength. */
    public record Applied(LoraFile lora, double strength) {
    }

    /** One pair at its LoRA's strength. */
    private record Weighted(LoraFile.Pair pair, double strength) {
    }

    private final String prefix;
    private final List<Applied> applied;
    /** The pairs of each patched weight (by its name in the part's dict), in the order the LoRAs were added. */
    private final Map<String, List<Weighted>> byKey = new LinkedHashMap<>();

    private LoraPatches(String prefix, List<Applied> applied) {
        this.prefix = prefix;
        this.applied = List.copyOf(applied);
        for (Applied a : this.applied) {
            for (LoraFile.Pair pair : a.lora().pairs()) {
                if (pair.target().startsWith(prefix)) {
                    byKey.computeIfAbsent(pair.target().substring(prefix.length()), k -> new ArrayList<>())
                            .add(new Weighted(pair, a.strength()));
                }
            }
        }
    }

    /**
     * {@code deltas} (none, or the LoRAs already on this part) plus {@code lora} at {@code strength}, for the weights
     * whose full names start with {@code prefix} ({@link LoraKeyMap#UNET_PREFIX}, or a text tower's
     * {@link LoraKeyMap.TextTower#keyPrefix}).
     */
    public static LoraPatches add(WeightDeltas deltas, String prefix, LoraFile lora, double strength) {
        List<Applied> all = new ArrayList<>();
        if (deltas instanceof LoraPatches existing) {
            if (!existing.prefix.equals(prefix)) {
                throw new IllegalArgumentException("patches of " + existing.prefix + " cannot take " + prefix);
            }
            all.addAll(existing.applied);
        } else if (deltas != WeightDeltas.NONE) {
            throw new IllegalArgumentException("cannot add a LoRA to " + deltas);
        }
        all.add(new Applied(lora, strength));
        return new LoraPatches(prefix, all);
    }

    /** The LoRAs of {@code deltas}, in order (none for {@link WeightDeltas#NONE}). */
    public static List<Applied> applied(WeightDeltas deltas) {
        return deltas instanceof LoraPatches p ? p.applied : List.of();
    }

    @Override
    public Set<String> keys() {
        return Collections.unmodifiableSet(byKey.keySet());
    }

    @Override
    public void addTo(String key, Tensor weight) {
        for (Weighted w : byKey.getOrDefault(key, List.of())) {
            try (PointerScope scope = new PointerScope()) {
                Tensor delta = w.pair().delta(weight.shape(), w.strength());
                weight.add_(delta.to(weight.device(), weight.scalar_type()));
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoraPatches p && p.prefix.equals(prefix) && p.applied.size() == applied.size()
                && sameFiles(p.applied);
    }

    private boolean sameFiles(List<Applied> other) {
        for (int i = 0; i < applied.size(); i++) {
            if (other.get(i).lora() != applied.get(i).lora()
                    || Double.compare(other.get(i).strength(), applied.get(i).strength()) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = prefix.hashCode();
        for (Applied a : applied) {
            h = 31 * h + System.identityHashCode(a.lora()) + Double.hashCode(a.strength());
        }
        return h;
    }

    @Override
    public String toString() {
        return "LoRA " + applied.stream().map(a -> a.lora().name() + "@" + a.strength()).toList();
    }
}
