package dev.easel.trainer.data;

import dev.easel.trainer.train.LatentBatch;
import dev.easel.trainer.train.LatentSource;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The emoji data set's VAE posteriors, encoded once ({@link LatentCache}), as training batches in the same seeded
 * epoch order {@link EmojiBatches} gives the images: for the same seed the batch of a step holds the posteriors of
 * exactly the images {@code EmojiBatches} would have given, so training draws from the same distribution without
 * running the encoder. Owns its two tensors.
 */
public final class CachedLatents implements LatentSource {

    private final Tensor mean;
    private final Tensor std;
    private final List<String> captions;
    private final long seed;
    private ShuffledBatches order;
    private boolean closed;

    /** Takes over one reference to each of {@code mean} and {@code std} ({@code [N, C, h, w]}, float32). */
    CachedLatents(Tensor mean, Tensor std, List<String> captions, long seed) {
        this.mean = mean;
        this.std = std;
        this.captions = List.copyOf(captions);
        this.seed = seed;
    }

    /** Number of examples. */
    public int size() {
        return captions.size();
    }

    /** The posterior means of every example, in data order (borrowed: valid until {@link #close()}). */
    Tensor mean() {
        return mean;
    }

    @Override
    public synchronized LatentBatch batch(long step, int batchSize) {
        if (closed) {
            throw new IllegalStateException("the latent cache is closed");
        }
        if (order == null || order.batchSize() != batchSize) {
            order = new ShuffledBatches(size(), batchSize, seed);
        }
        long[] indices = order.batch(step);
        List<String> picked = Arrays.stream(indices).mapToObj(i -> captions.get((int) i)).toList();
        return new LatentBatch(rows(mean, indices), rows(std, indices), picked);
    }

    private static Tensor rows(Tensor all, long[] indices) {
        return OwnedTensors.toCaller(() -> all.index_select(0, torch.from_blob(new LongPointer(indices),
                new long[] {indices.length}, new TensorOptions(ScalarType.Long)).clone()));
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            mean.releaseReference();
            std.releaseReference();
        }
    }
}
