/**
 * The SD1.x-family VAE: {@link dev.easel.nodes.core.vae.AutoencoderKL} (encode, decode, tiled variants) built from a
 * checkpoint's {@code first_stage_model.*} weights, its {@link dev.easel.nodes.core.vae.VaeConfig} inferred from weight
 * shapes ({@link dev.easel.nodes.core.vae.TensorShapes}), and the latent scale / preview matrix
 * ({@link dev.easel.nodes.core.vae.LatentFormat}). The architecture is the KL autoencoder of Rombach et al. 2022
 * (latent diffusion, github.com/CompVis/latent-diffusion); conventions (crop, scaling, clamps) follow ComfyUI as
 * recorded in the shared SD reference fixtures.
 */
package dev.easel.nodes.core.vae;
