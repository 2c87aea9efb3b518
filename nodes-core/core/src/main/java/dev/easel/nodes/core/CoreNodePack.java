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
import org.pf4j.Extension;

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
 * <p>Ships as a PF4J plugin (plugin id {@value #ID}, bundled in the distribution's {@code plugins/easel-core}): the
 * {@link Extension} is what the host loads. The {@code META-INF/services} entry stays for code that has this module
 * on its class path (tests), which finds the pack with {@link java.util.ServiceLoader}; a host that had it both ways
 * keeps the first registration and reports the second pack's nodes as taken. The value types the tensor nodes
 * exchange are in {@code dev.easel.nodes.core.value}.
 */
@Extension
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
