package dev.easel.nodes.core;

import dev.easel.node.Node;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.NodePack;
import dev.easel.nodes.core.image.ImageNodes;
import dev.easel.nodes.core.conditioning.ConditioningNodes;
import dev.easel.nodes.core.latent.LatentNodes;
import dev.easel.nodes.core.sampling.nodes.SamplingNodes;
import dev.easel.nodes.core.sd.SdNodes;
import dev.easel.nodes.core.math.MathNodes;
import dev.easel.nodes.core.output.OutputNodes;
import dev.easel.nodes.core.primitive.PrimitiveNode;
import dev.easel.nodes.core.string.StringNodes;
import java.util.ArrayList;
import java.util.List;

/**
 * Easel's core node pack ({@value #ID}): the nodes every workflow leans on, under ComfyUI's class names, inputs,
 * defaults and categories where ComfyUI has them.
 *
 * <ul>
 *   <li>primitives ({@code utils/primitive}): PrimitiveString, PrimitiveStringMultiline, PrimitiveInt,
 *       PrimitiveFloat, PrimitiveBoolean;</li>
 *   <li>strings ({@code utils/string}): StringConcatenate, StringSubstring, StringLength, StringReplace, and Easel's
 *       StringFormat;</li>
 *   <li>arithmetic ({@code utils/math}, Easel's own): IntMath, FloatMath, IntToFloat, FloatToInt;</li>
 *   <li>latents and images: EmptyLatentImage, LatentUpscale, LatentUpscaleBy, EmptyImage, ImageInvert, ImageBlend,
 *       ImageScale, ImageScaleBy;</li>
 *   <li>conditioning: ConditioningCombine, ConditioningConcat, ConditioningSetArea;</li>
 *   <li>inputs: LoadImage, LoadImageMask (from the instance's input folder);</li>
 *   <li>Stable Diffusion: CheckpointLoaderSimple, VAELoader, CLIPTextEncode, CLIPSetLastLayer, VAEDecode, VAEEncode,
 *       VAEDecodeTiled, VAEEncodeTiled;</li>
 *   <li>outputs: SaveImage, PreviewImage, PreviewAny.</li>
 * </ul>
 *
 * <p>Registered for {@link java.util.ServiceLoader} in {@code META-INF/services}: the core pack ships on the
 * application class path, not as a PF4J plugin (marking it a PF4J {@code @Extension} as well would let a host that
 * uses both mechanisms register it twice). The value types the tensor nodes exchange are in
 * {@code dev.easel.nodes.core.value}.
 */
public final class CoreNodePack implements NodePack {

    /** The pack's id. */
    public static final String ID = "easel-core";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Node> nodes() {
        return nodes(NodeEnvironment.defaults());
    }

    @Override
    public List<Node> nodes(NodeEnvironment environment) {
        List<Node> nodes = new ArrayList<>();
        nodes.addAll(PrimitiveNode.all());
        nodes.addAll(StringNodes.all());
        nodes.addAll(MathNodes.all());
        nodes.addAll(LatentNodes.all());
        nodes.addAll(ConditioningNodes.all());
        nodes.addAll(ImageNodes.all());
        nodes.addAll(ImageNodes.loaders(environment.folders()));
        nodes.addAll(SdNodes.all(environment.models()));
        nodes.addAll(SamplingNodes.all());
        nodes.addAll(OutputNodes.all());
        return List.copyOf(nodes);
    }
}
