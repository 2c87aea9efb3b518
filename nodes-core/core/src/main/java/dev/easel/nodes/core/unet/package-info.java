/**
 * The latent-diffusion UNet (Rombach et al. 2022, "High-Resolution Image Synthesis with Latent Diffusion Models") on
 * libtorch: {@link dev.easel.nodes.core.unet.UNetConfig} (detected from checkpoint shapes through a
 * {@link dev.easel.nodes.core.unet.ShapeSource}), {@link dev.easel.nodes.core.unet.UNetModel} (forward pass in the
 * original LDM key layout: SD1.x, SD2.x, SDXL), {@link dev.easel.nodes.core.unet.UNetPatches} (block, skip and
 * attention hooks for ControlNet, block caching, attention control), and the ε-prediction denoiser
 * {@link dev.easel.nodes.core.unet.UNetDenoiser} over the {@link dev.easel.nodes.core.unet.DiscreteSchedule}.
 */
package dev.easel.nodes.core.unet;
