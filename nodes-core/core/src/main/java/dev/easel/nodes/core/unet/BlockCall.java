package dev.easel.nodes.core.unet;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * One evaluation of a UNet block as seen by a {@link UNetPatches.BlockPatch}: the block's input, the skip tensor it
 * will concatenate (output blocks), and {@link #proceed} to run the rest of the patch chain and the block itself.
 * A patch may change the inputs, post-process the result, or not proceed at all and return a cached tensor (the
 * model then uses that as the block's output: for an input block it is also the saved skip).
 */
public final class BlockCall {

    /** The block itself (after all patches). */
    interface Body {
        Tensor run(Tensor h, Tensor skip);
    }

    private final BlockId block;
    private final Tensor h;
    private final Tensor skip;
    private final ForwardContext context;
    private final List<UNetPatches.BlockPatch> chain;
    private final int next;
    private final Body body;

    BlockCall(BlockId block, Tensor h, Tensor skip, ForwardContext context, List<UNetPatches.BlockPatch> chain,
            int next, Body body) {
        this.block = block;
        this.h = h;
        this.skip = skip;
        this.context = context;
        this.chain = chain;
        this.next = next;
        this.body = body;
    }

    public BlockId block() {
        return block;
    }

    /** The hidden state entering the block. */
    public Tensor h() {
        return h;
    }

    /**
     * For an output block, the skip tensor saved by the matching input block, before {@link UNetPatches.SkipPatch}es
     * (they run when the block itself runs); {@code null} for input and middle blocks.
     */
    public Tensor skip() {
        return skip;
    }

    public ForwardContext context() {
        return context;
    }

    /** Runs the rest of the chain on the unchanged inputs. */
    public Tensor proceed() {
        return proceed(h, skip);
    }

    /** Runs the rest of the chain with a different hidden state. */
    public Tensor proceed(Tensor newH) {
        return proceed(newH, skip);
    }

    /** Runs the rest of the chain with a different hidden state and skip tensor. */
    public Tensor proceed(Tensor newH, Tensor newSkip) {
        if (next < chain.size()) {
            return chain.get(next).apply(new BlockCall(block, newH, newSkip, context, chain, next + 1, body));
        }
        return body.run(newH, newSkip);
    }
}
