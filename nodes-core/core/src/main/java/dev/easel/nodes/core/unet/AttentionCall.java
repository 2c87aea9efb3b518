package dev.easel.nodes.core.unet;

import static org.bytedeco.pytorch.global.torch.scaled_dot_product_attention;

import java.util.List;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One attention evaluation inside a transformer block, as seen by a {@link UNetPatches.AttentionPatch}. {@link #x} is
 * the normalized hidden state [B, N, C]; {@link #context} is what keys and values are computed from (the context for
 * cross-attention, {@code x} itself for self-attention). The result of the chain is the attention output
 * <em>before</em> the output projection {@code to_out.0}, [B, N, heads * headDim].
 *
 * <p>A patch may change {@code x} / {@code context} and {@link #proceed(Tensor, Tensor) proceed} (token merging,
 * reference-only K/V concatenation), scale or replace the result, or compute its own attention from
 * {@link #toQ}/{@link #toK}/{@link #toV} and {@link #attend} (attention control, map extraction).
 */
public final class AttentionCall {

    /**
     * Where the attention is.
     *
     * @param block the UNet block holding the transformer
     * @param transformerBlock index of the {@code transformer_blocks.K} within it
     * @param cross {@code true} for {@code attn2} (cross-attention), {@code false} for {@code attn1}
     */
    public record Site(BlockId block, int transformerBlock, boolean cross) {

        /** The checkpoint key prefix of the attention module, e.g. {@code "input_blocks.1.1.transformer_blocks.0.attn2."}. */
        public String keyPrefix() {
            return block.keyPrefix() + "1.transformer_blocks." + transformerBlock + (cross ? ".attn2." : ".attn1.");
        }
    }

    /** The attention's q/k/v projections. */
    interface Projections {
        Tensor q(Tensor x);

        Tensor k(Tensor context);

        Tensor v(Tensor context);
    }

    private final Site site;
    private final Tensor x;
    private final Tensor context;
    private final int heads;
    private final ForwardContext forward;
    private final Projections projections;
    private final List<UNetPatches.AttentionPatch> chain;
    private final int next;

    AttentionCall(Site site, Tensor x, Tensor context, int heads, ForwardContext forward, Projections projections,
            List<UNetPatches.AttentionPatch> chain, int next) {
        this.site = site;
        this.x = x;
        this.context = context;
        this.heads = heads;
        this.forward = forward;
        this.projections = projections;
        this.chain = chain;
        this.next = next;
    }

    public Site site() {
        return site;
    }

    /** The normalized hidden state [B, N, C] the queries come from. */
    public Tensor x() {
        return x;
    }

    /** The tensor keys and values come from: the text context (cross) or {@link #x} (self). */
    public Tensor context() {
        return context;
    }

    public int heads() {
        return heads;
    }

    /** The inputs of the whole UNet evaluation. */
    public ForwardContext forward() {
        return forward;
    }

    /** {@code to_q(x)}. */
    public Tensor toQ(Tensor hidden) {
        return projections.q(hidden);
    }

    /** {@code to_k(context)}. */
    public Tensor toK(Tensor ctx) {
        return projections.k(ctx);
    }

    /** {@code to_v(context)}. */
    public Tensor toV(Tensor ctx) {
        return projections.v(ctx);
    }

    /** Multi-head scaled dot-product attention of projected q [B, N, H·d], k, v [B, M, H·d] → [B, N, H·d]. */
    public Tensor attend(Tensor q, Tensor k, Tensor v) {
        return attention(q, k, v, heads);
    }

    /** Runs the rest of the chain on the unchanged inputs. */
    public Tensor proceed() {
        return proceed(x, context);
    }

    /** Runs the rest of the chain with different queries' source and keys'/values' source. */
    public Tensor proceed(Tensor newX, Tensor newContext) {
        if (next < chain.size()) {
            return chain.get(next).apply(
                    new AttentionCall(site, newX, newContext, heads, forward, projections, chain, next + 1));
        }
        return attention(projections.q(newX), projections.k(newContext), projections.v(newContext), heads);
    }

    /** Multi-head attention on projected tensors ([B, N, H·d] layout in and out). */
    static Tensor attention(Tensor q, Tensor k, Tensor v, int heads) {
        long b = q.size(0);
        long n = q.size(1);
        long inner = q.size(2);
        long d = inner / heads;
        Tensor qh = q.reshape(b, n, heads, d).transpose(1, 2);
        Tensor kh = k.reshape(b, k.size(1), heads, d).transpose(1, 2);
        Tensor vh = v.reshape(b, v.size(1), heads, d).transpose(1, 2);
        // ATen's CPU attention kernel splits the work over its own (OpenMP) pool and calls BLAS inside each split:
        // with a multi-threaded BLAS as well the two pools oversubscribe the cores (2-3x slower on 2 cores).
        int blasThreads = torch.get_num_threads() > 1 && q.is_cpu() ? openblas_full.openblas_get_num_threads() : 1;
        if (blasThreads > 1) {
            openblas_full.openblas_set_num_threads(1);
        }
        try {
            return scaled_dot_product_attention(qh, kh, vh).transpose(1, 2).reshape(b, n, inner);
        } finally {
            if (blasThreads > 1) {
                openblas_full.openblas_set_num_threads(blasThreads);
            }
        }
    }
}
