package dev.easel.trainer.eval;

import dev.easel.trainer.data.EmojiDataset;
import dev.easel.trainer.data.EmojiImages;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/** Copies training images out of the data set's tensor as planar RGB bytes (the layout generated images have). */
final class TrainingImages {

    private TrainingImages() {
    }

    /** The images at {@code indices}, each {@code [3, 64, 64]} bytes. */
    static List<byte[]> planar(EmojiDataset data, long[] indices) {
        List<byte[]> images = new ArrayList<>(indices.length);
        if (indices.length == 0) {
            return images;
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor bytes = data.bytes(indices).contiguous();
            BytePointer pointer = bytes.data_ptr_byte();
            for (int i = 0; i < indices.length; i++) {
                byte[] image = new byte[EmojiImages.BYTES];
                pointer.position((long) i * EmojiImages.BYTES).get(image);
                images.add(image);
            }
        }
        return images;
    }
}
