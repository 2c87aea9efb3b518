package dev.easel.nodes.core.image;

import dev.easel.node.Folders;
import dev.easel.node.InputProblem;
import dev.easel.node.InputSpec;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import java.io.IOException;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads one channel of an image as a mask (ComfyUI's LoadImageMask): {@code [1, H, W]} in 0..1; for the alpha
 * channel the mask is 1 − alpha (transparent = masked). The image is taken as RGBA, so an image without alpha gives
 * an all-zero alpha mask.
 */
public final class LoadImageMask implements Node {

    private static final List<String> CHANNELS = List.of("alpha", "red", "green", "blue");

    private final Folders folders;
    private final NodeSchema schema;

    public LoadImageMask(Folders folders) {
        this.folders = folders;
        this.schema = NodeSchema.builder("LoadImageMask")
                .displayName("Load Image (as Mask)")
                .category("mask")
                .required(InputImages.imageInput(folders))
                .required(InputSpec.combo("channel", CHANNELS))
                .output(ValueTypes.MASK)
                .build();
    }

    @Override
    public NodeSchema schema() {
        return schema;
    }

    @Override
    public List<InputProblem> validateInputs(NodeInputs literals) {
        return InputImages.validate(folders, literals);
    }

    @Override
    public Object fingerprint(NodeInputs inputs) throws IOException {
        return InputImages.fingerprint(folders, inputs);
    }

    @Override
    public NodeOutput execute(NodeInputs inputs, NodeContext context) throws IOException {
        Tensor rgba = Pixels.rgba(InputImages.readFrames(InputImages.resolve(folders, inputs.getString("image"))).get(0));
        String channel = inputs.getString("channel");
        Tensor mask = rgba.select(2, CHANNELS.indexOf(channel) == 0 ? 3 : CHANNELS.indexOf(channel) - 1);
        if (channel.equals("alpha")) {
            mask = torch.rsub(mask, new Scalar(1.0));
        }
        return NodeOutput.of(TensorRef.of(mask.unsqueeze(0).contiguous()));
    }
}
