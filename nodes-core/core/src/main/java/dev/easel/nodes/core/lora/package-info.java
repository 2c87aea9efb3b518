/**
 * LoRA files (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models", arXiv:2106.09685): reading
 * kohya sd-scripts and diffusers/PEFT files, naming the weight each low-rank pair patches in an SD1.x, SD2.x or SDXL
 * model (the UNet and each text tower, as ComfyUI's LoRA key maps do), and the weight deltas
 * {@code strength · alpha/rank · up @ down}.
 */
package dev.easel.nodes.core.lora;
