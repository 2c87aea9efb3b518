/**
 * The CLIP text encoder of Stable Diffusion 1.x and ComfyUI's prompt handling around it.
 *
 * <ul>
 *   <li>{@link dev.easel.nodes.core.clip.ClipTokenizer}: CLIP's byte-level BPE (openai/CLIP vocabulary, bundled),
 *       with the text clean-up of transformers' slow {@code CLIPTokenizer};</li>
 *   <li>{@link dev.easel.nodes.core.clip.PromptParser}: ComfyUI's {@code (text)}, {@code (text:w)}, {@code \(}
 *       weighting syntax;</li>
 *   <li>{@link dev.easel.nodes.core.clip.WeightedTokenizer}: weighted 77-token chunks with word ids, as ComfyUI's
 *       {@code tokenize_with_weights};</li>
 *   <li>{@link dev.easel.nodes.core.clip.ClipTextModel}: the text transformer on libtorch functional ops, weights
 *       from a {@link dev.easel.nodes.core.model.StateDict}, reference counted;</li>
 *   <li>{@link dev.easel.nodes.core.clip.ClipTextEncoder}: the CLIPTextEncode algorithm (weights applied against an
 *       empty chunk, chunks concatenated, pooled output of the first chunk, clip skip).</li>
 *   <li>{@link dev.easel.nodes.core.clip.Embeddings}, {@link dev.easel.nodes.core.clip.EmbeddingFile},
 *       {@link dev.easel.nodes.core.clip.EmbeddingLookup}: textual-inversion embeddings ({@code embedding:name},
 *       Gal et al. 2022, arXiv:2208.01618) from the {@code embeddings} model folder, placed as input vectors.</li>
 * </ul>
 *
 * <p>Checked against ComfyUI's outputs in {@code shared/fixtures} (tokenizer cases, tiny SD1.5 text encoder).
 */
package dev.easel.nodes.core.clip;
