package dev.easel.nodes.core.image;

import dev.easel.node.Folders;
import dev.easel.node.InputProblem;
import dev.easel.node.Node;
import dev.easel.node.NodeContext;
import dev.easel.node.NodeInputs;
import dev.easel.node.NodeOutput;
import dev.easel.node.NodeSchema;
import dev.easel.nodes.core.value.ValueTypes;
import dev.easel.runtime.TensorRef;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads an image from the input folder (ComfyUI's LoadImage): IMAGE {@code [frames, H, W, 3]} in 0..1 and MASK
 * {@code [frames, H, W]} = 1 − alpha, or a 64×64 zero mask when the image has no alpha. Frames of an animation that
 * differ in size from the first are skipped, as ComfyUI does. Keyed on the file's content, so replacing the file
 * re-runs it.
 */
public final class LoadImage implements Node {

    private final Folders folders;
    private final NodeSchema schema;

    public LoadImage(Folders folders) {
        this.folders = folders;
        this.schema = NodeSchema.builder("LoadImage")
                .displayName("Load Image")
                .category("image")
                .required(InputImages.imageInput(folders))
                .output(ValueTypes.IMAGE)
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
        Path file = InputImages.resolve(folders, inputs.getString("image"));
        List<BufferedImage> frames = InputImages.readFrames(file);
        int width = frames.get(0).getWidth();
        int height = frames.get(0).getHeight();
        TensorVector images = new TensorVector();
        TensorVector masks = new TensorVector();
        for (BufferedImage frame : frames) {
            if (frame.getWidth() != width || frame.getHeight() != height) {
                continue;
            }
            Tensor rgba = Pixels.rgba(frame);
            images.push_back(rgba.narrow(2, 0, 3).unsqueeze(0));
            masks.push_back(frame.getColorModel().hasAlpha()
                    ? torch.rsub(rgba.select(2, 3), new org.bytedeco.pytorch.Scalar(1.0)).unsqueeze(0)
                    : torch.zeros(1, 64, 64));
        }
        Tensor image = torch.cat(images, 0).contiguous();
        Tensor mask = masksMatch(masks) ? torch.cat(masks, 0).contiguous() : masks.get(0);
        return NodeOutput.of(TensorRef.of(image), TensorRef.of(mask));
    }

    /** Frames with and without alpha give masks of different sizes; ComfyUI then keeps the first one only. */
    private static boolean masksMatch(TensorVector masks) {
        List<String> shapes = new ArrayList<>();
        for (long i = 0; i < masks.size(); i++) {
            shapes.add(java.util.Arrays.toString(masks.get(i).sizes().vec().get()));
        }
        return shapes.stream().distinct().count() == 1;
    }
}
