package dev.easel.trainer.train;

import dev.easel.nodes.core.clip.ClipTokenizer;
import java.util.List;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Captions → the token ids SD1.x's text encoder sees: CLIP's BPE tokenizer, {@code <|startoftext|>}, the text
 * truncated to 75 tokens, {@code <|endoftext|>}, padded with {@code <|endoftext|>} to 77 (what ComfyUI's SD1
 * tokenizer gives a plain prompt, so training and inference condition the same way).
 */
public final class Captions {

    public static final int LENGTH = 77;

    private Captions() {
    }

    /** Token ids [B, 77] (int64) of {@code captions}. */
    public static Tensor tokens(List<String> captions) {
        ClipTokenizer tokenizer = ClipTokenizer.standard();
        long[] ids = new long[captions.size() * LENGTH];
        for (int b = 0; b < captions.size(); b++) {
            int[] body = tokenizer.encode(captions.get(b));
            int n = Math.min(body.length, LENGTH - 2);
            int base = b * LENGTH;
            ids[base] = ClipTokenizer.BOS;
            for (int i = 0; i < n; i++) {
                ids[base + 1 + i] = body[i];
            }
            for (int i = n + 1; i < LENGTH; i++) {
                ids[base + i] = ClipTokenizer.EOS;
            }
        }
        LongPointer p = new LongPointer(ids);
        return torch.from_blob(p, new long[] {captions.size(), LENGTH}, new TensorOptions(ScalarType.Long)).clone();
    }
}
