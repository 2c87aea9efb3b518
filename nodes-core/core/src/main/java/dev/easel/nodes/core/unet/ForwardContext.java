package dev.easel.nodes.core.unet;

import org.bytedeco.pytorch.Tensor;

/**
 * The inputs of one UNet evaluation, handed to every patch (patches that keep per-request state, such as a step
 * counter or a feature cache, keep it in their own objects).
 *
 * @param x the latent input [B, C, h, w] (already scaled by the denoiser's c_in)
 * @param timesteps discrete timesteps [B] (float)
 * @param context cross-attention context [B, T, contextDim], or {@code null}
 * @param y the class / adm vector [B, admInChannels], or {@code null}
 * @param emb the time (+ label) embedding [B, 4 * modelChannels] the ResBlocks receive
 */
public record ForwardContext(Tensor x, Tensor timesteps, Tensor context, Tensor y, Tensor emb) {
}
