/**
 * The tensor-backed values that flow between nodes, in ComfyUI's layouts (api-contract §5.6). Every node pack that
 * produces or consumes images, masks or latents uses these, so they are the shared vocabulary of the node world.
 *
 * <ul>
 *   <li>{@code IMAGE}: a {@link dev.easel.runtime.TensorRef} holding float32 {@code [batch, height, width, channels]},
 *       values 0..1, channels last (3 channels; 4 when an alpha channel was kept). See {@link
 *       dev.easel.nodes.core.value.Images}.</li>
 *   <li>{@code MASK}: a {@link dev.easel.runtime.TensorRef} holding float32 {@code [batch, height, width]}, 1 = masked.
 *       </li>
 *   <li>{@code LATENT}: a {@link dev.easel.nodes.core.value.Latent}, ComfyUI's {@code {"samples", "noise_mask"}}
 *       dict.</li>
 * </ul>
 *
 * <p>Why here and not in the runtime module: the runtime only knows tensors, devices and memory; what a tensor means
 * (which axis is the channel, what a latent carries) is node vocabulary, and changes with the node world, not with
 * libtorch. IMAGE and MASK are bare {@code TensorRef}s, as they are bare tensors in ComfyUI, so any node that handles
 * tensors handles them; LATENT needs a class because it carries more than one tensor.
 *
 * <p>Between nodes these tensors live on the CPU (ComfyUI's "intermediate device"); nodes that compute on the GPU move
 * them there and back.
 */
package dev.easel.nodes.core.value;
