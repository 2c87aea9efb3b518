package dev.easel.nodes.core.sd;

import dev.easel.node.ModelLibrary;
import dev.easel.nodes.core.controlnet.ControlNetApply;
import dev.easel.nodes.core.controlnet.ControlNetLoader;
import dev.easel.node.Node;
import java.util.List;

/** The Stable Diffusion model nodes of the core pack. */
public final class SdNodes {

    private SdNodes() {
    }

    public static List<Node> all(ModelLibrary models) {
        return List.of(new CheckpointLoaderSimple(models), new VaeLoader(models), new ClipTextEncode(models),
                new ClipSetLastLayer(), new VaeDecode(), new VaeEncode(), new VaeDecodeTiled(), new VaeEncodeTiled(), new VaeEncodeForInpaint(),
                LoraLoader.modelAndClip(models), LoraLoader.modelOnly(models), ClipTextEncodeSdxl.base(models),
                ClipTextEncodeSdxl.refiner(models), new ModelSamplingDiscrete(), new InpaintModelConditioning(),
                new ControlNetLoader(models), ControlNetApply.old(), ControlNetApply.advanced());
    }
}
