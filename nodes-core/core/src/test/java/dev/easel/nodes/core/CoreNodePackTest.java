package dev.easel.nodes.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.node.Node;
import dev.easel.node.NodePack;
import dev.easel.node.NodeSchema;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CoreNodePackTest {

    private static final Set<String> EXPECTED = Set.of(
            "PrimitiveString", "PrimitiveStringMultiline", "PrimitiveInt", "PrimitiveFloat", "PrimitiveBoolean",
            "StringConcatenate", "StringSubstring", "StringLength", "StringReplace", "StringFormat",
            "IntMath", "FloatMath", "IntToFloat", "FloatToInt",
            "EmptyLatentImage", "LatentUpscale", "LatentUpscaleBy",
            "EmptyImage", "ImageInvert", "ImageBlend", "ImageScale", "ImageScaleBy",
            "ConditioningCombine", "ConditioningConcat", "ConditioningSetArea", "LoadImage", "LoadImageMask",
            "CheckpointLoaderSimple", "VAELoader", "CLIPTextEncode", "CLIPSetLastLayer", "VAEDecode", "VAEEncode",
            "VAEDecodeTiled", "VAEEncodeTiled",
            "SaveImage", "PreviewImage", "PreviewAny",
            "KSampler", "KSamplerAdvanced", "SamplerCustom", "SamplerCustomAdvanced", "KSamplerSelect",
            "BasicScheduler", "KarrasScheduler", "ExponentialScheduler", "SDTurboScheduler", "SplitSigmas",
            "SplitSigmasDenoise", "FlipSigmas", "CFGGuider", "BasicGuider", "RandomNoise", "DisableNoise",
            "SetLatentNoiseMask", "RescaleCFG", "LoraLoader", "LoraLoaderModelOnly", "VAEEncodeForInpaint",
            "ControlNetLoader", "ControlNetApply", "ControlNetApplyAdvanced", "CLIPTextEncodeSDXL",
            "CLIPTextEncodeSDXLRefiner", "ModelSamplingDiscrete", "InpaintModelConditioning");

    private static final Set<String> TENSOR_NODES = Set.of("CLIPTextEncode", "VAEDecode", "VAEEncode",
            "VAEDecodeTiled", "VAEEncodeTiled","EmptyLatentImage", "LatentUpscale", "LatentUpscaleBy",
            "EmptyImage", "ImageInvert", "ImageBlend", "ImageScale", "ImageScaleBy", "ConditioningConcat",
            "SaveImage", "PreviewImage", "KSampler", "KSamplerAdvanced", "SamplerCustom", "SamplerCustomAdvanced",
            "VAEEncodeForInpaint", "CLIPTextEncodeSDXL", "CLIPTextEncodeSDXLRefiner", "InpaintModelConditioning");

    @Test
    void isFoundByServiceLoader() {
        List<NodePack> packs = ServiceLoader.load(NodePack.class).stream().map(ServiceLoader.Provider::get).toList();
        assertTrue(packs.stream().anyMatch(p -> p.id().equals("easel-core")), "packs: " + packs);
    }

    @Test
    void listsEveryNodeOnce() {
        List<Node> nodes = new CoreNodePack().nodes();
        Set<String> names = nodes.stream().map(n -> n.schema().name()).collect(Collectors.toSet());
        assertEquals(nodes.size(), names.size(), "duplicate node names");
        assertEquals(EXPECTED, names);
    }

    @Test
    void tensorNodesAskForTheAccelerator() {
        for (Node node : new CoreNodePack().nodes()) {
            NodeSchema s = node.schema();
            assertEquals(TENSOR_NODES.contains(s.name()), s.usesAccelerator(), s.name());
        }
    }

    @Test
    void schemasAreStable() {
        for (Node node : new CoreNodePack().nodes()) {
            assertTrue(node.schema() == node.schema(), node.schema().name() + " builds a new schema per call");
            assertFalse(node.schema().category().isBlank());
        }
    }
}
