/**
 * LoRA files (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"): reading kohya sd-scripts and
 * diffusers/PEFT files, naming the checkpoint weight each low-rank pair patches (as ComfyUI's LoRA key maps do), and
 * the weight deltas {@code strength · alpha/rank · up @ down}.
 */
package dev.easel.nodes.core.lora;
