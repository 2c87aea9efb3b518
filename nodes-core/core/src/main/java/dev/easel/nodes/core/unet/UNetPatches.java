package dev.easel.nodes.core.unet;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Behaviour changes applied to one {@link UNetModel#forward UNet evaluation} without forking the model: ControlNet
 * residuals, skip scaling (Skip-Tuning, FreeU), block caching (DeepCache, Faster Diffusion), attention control and
 * token merging. Immutable; combine with {@link #and}. Patches run in the order they were added, the first one
 * outermost.
 *
 * <p>Tensors a patch creates belong to the native-memory scope open at the time (the model opens one per block);
 * a patch that keeps a tensor across evaluations (a cache) must take its own reference to it.
 */
public final class UNetPatches {

    /** Wraps every input block, the middle block and every output block; see {@link BlockCall}. */
    @FunctionalInterface
    public interface BlockPatch {
        Tensor apply(BlockCall call);
    }

    /**
     * Changes a skip tensor just before an output block concatenates it (runs only when that block actually runs).
     */
    @FunctionalInterface
    public interface SkipPatch {
        /**
         * @param inputBlock the input block that saved the skip (its output)
         * @param outputBlock the output block consuming it
         * @return the skip to concatenate
         */
        Tensor apply(int inputBlock, int outputBlock, Tensor skip, ForwardContext context);
    }

    /** Wraps or replaces an attention computation; see {@link AttentionCall}. */
    @FunctionalInterface
    public interface AttentionPatch {
        Tensor apply(AttentionCall call);
    }

    public static final UNetPatches NONE = new UNetPatches(List.of(), List.of(), List.of(), List.of());

    private final List<BlockPatch> blocks;
    private final List<SkipPatch> skips;
    private final List<AttentionPatch> selfAttention;
    private final List<AttentionPatch> crossAttention;

    private UNetPatches(List<BlockPatch> blocks, List<SkipPatch> skips, List<AttentionPatch> selfAttention,
            List<AttentionPatch> crossAttention) {
        this.blocks = List.copyOf(blocks);
        this.skips = List.copyOf(skips);
        this.selfAttention = List.copyOf(selfAttention);
        this.crossAttention = List.copyOf(crossAttention);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** These patches, then {@code other}'s (inside them). */
    public UNetPatches and(UNetPatches other) {
        return new UNetPatches(concat(blocks, other.blocks), concat(skips, other.skips),
                concat(selfAttention, other.selfAttention), concat(crossAttention, other.crossAttention));
    }

    public boolean isEmpty() {
        return blocks.isEmpty() && skips.isEmpty() && selfAttention.isEmpty() && crossAttention.isEmpty();
    }

    List<BlockPatch> blocks() {
        return blocks;
    }

    List<SkipPatch> skips() {
        return skips;
    }

    List<AttentionPatch> attention(boolean cross) {
        return cross ? crossAttention : selfAttention;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Collects patches. */
    public static final class Builder {
        private final List<BlockPatch> blocks = new ArrayList<>();
        private final List<SkipPatch> skips = new ArrayList<>();
        private final List<AttentionPatch> selfAttention = new ArrayList<>();
        private final List<AttentionPatch> crossAttention = new ArrayList<>();

        private Builder() {
        }

        /** Wraps every block. */
        public Builder block(BlockPatch patch) {
            blocks.add(patch);
            return this;
        }

        /** Wraps one block only. */
        public Builder block(BlockId id, BlockPatch patch) {
            blocks.add(call -> call.block().equals(id) ? patch.apply(call) : call.proceed());
            return this;
        }

        public Builder skip(SkipPatch patch) {
            skips.add(patch);
            return this;
        }

        /** Wraps self-attention ({@code attn1}) everywhere. */
        public Builder selfAttention(AttentionPatch patch) {
            selfAttention.add(patch);
            return this;
        }

        /** Wraps cross-attention ({@code attn2}) everywhere. */
        public Builder crossAttention(AttentionPatch patch) {
            crossAttention.add(patch);
            return this;
        }

        public UNetPatches build() {
            return new UNetPatches(blocks, skips, selfAttention, crossAttention);
        }
    }
}
