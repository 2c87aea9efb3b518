package dev.easel.nodes.core.controlnet;

import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.nodes.core.unet.BlockId;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import dev.easel.nodes.core.unet.ForwardContext;
import dev.easel.nodes.core.unet.UNetConfig;
import dev.easel.nodes.core.unet.UNetPatches;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.runtime.placement.Placeable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The ControlNets of one batched UNet call as {@link UNetPatches} (Zhang et al. 2023, arXiv:2302.05543, Sec. 3.2): the
 * ControlNets run once per UNet forward, on that forward's inputs ({@link ForwardContext}: x·c_in, timesteps,
 * context, y); residual i is added to the skip saved after input block i when the decoder consumes it, the middle
 * residual to the middle block's output. Each chunk of the batch (latent-batch rows, in batch order) has its own
 * application chain or none; the residuals of a chain's applications add up, and an application outside its
 * start/end range (as σ, through the model's schedule) contributes nothing for this step.
 *
 * <p>The residuals are computed when the UNet first needs them and kept until {@link #close()}, which the caller
 * calls once the UNet call is over.
 */
public final class ControlPatches implements AutoCloseable {

    /** The conditioning option that holds a {@link ControlApplication}. */
    public static final String CONTROL = "control";
    /** The option set by the old ControlNetApply: the control also applies to the negative branch. */
    public static final String APPLY_TO_UNCOND = "control_apply_to_uncond";

    private static final ControlPatches NONE = new ControlPatches(null, List.of(), 0, 0);

    private final DiffusionModel model;
    private final List<ControlApplication> chunks;
    private final long rowsPerChunk;
    private final double sigma;
    private boolean computed;
    private List<Tensor> outputs;
    private Tensor middle;

    private ControlPatches(DiffusionModel model, List<ControlApplication> chunks, long rowsPerChunk, double sigma) {
        this.model = model;
        this.chunks = chunks;
        this.rowsPerChunk = rowsPerChunk;
        this.sigma = sigma;
    }

    /**
     * The patches for a batch of chunks.
     *
     * @param controls each chunk's application (or {@code null}), in batch order
     * @param rowsPerChunk latent rows per chunk
     * @throws IllegalArgumentException when a ControlNet does not fit the model
     */
    public static ControlPatches forBatch(DiffusionModel model, List<ControlApplication> controls, long rowsPerChunk,
            double sigma) {
        if (controls.stream().allMatch(c -> c == null)) {
            return NONE;
        }
        for (ControlApplication c : controls) {
            if (c != null) {
                c.chain().forEach(a -> a.net().checkFits(model.unet().config()));
            }
        }
        return new ControlPatches(model, new ArrayList<>(controls), rowsPerChunk, sigma);
    }

    /** The application on a conditioning entry, or {@code null}. */
    public static ControlApplication of(Conditioning.Entry entry) {
        return entry.options().get(CONTROL) instanceof ControlApplication c ? c : null;
    }

    /**
     * Each branch's controls, entry by entry. As in the reference, when no negative entry (without an area) has a
     * control of its own, the positive entries' controls applied with {@link #APPLY_TO_UNCOND} (the old
     * ControlNetApply) go to the negative entries without an area, in turn.
     */
    public static List<List<ControlApplication>> perEntry(List<Conditioning> branches) {
        List<List<ControlApplication>> out = new ArrayList<>();
        for (Conditioning c : branches) {
            List<ControlApplication> controls = new ArrayList<>();
            c.entries().forEach(e -> controls.add(of(e)));
            out.add(controls);
        }
        if (branches.size() < 2) {
            return out;
        }
        List<ControlApplication> toUncond = new ArrayList<>();
        List<Conditioning.Entry> positive = branches.get(0).entries();
        for (int i = 0; i < positive.size(); i++) {
            Conditioning.Entry e = positive.get(i);
            if (!e.options().containsKey("area") && out.get(0).get(i) != null
                    && Boolean.TRUE.equals(e.options().get(APPLY_TO_UNCOND))) {
                toUncond.add(out.get(0).get(i));
            }
        }
        List<Conditioning.Entry> negative = branches.get(1).entries();
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < negative.size(); i++) {
            if (!negative.get(i).options().containsKey("area")) {
                if (out.get(1).get(i) != null) {
                    return out; // the negative branch has controls of its own
                }
                free.add(i);
            }
        }
        for (int k = 0; k < toUncond.size() && !free.isEmpty(); k++) {
            out.get(1).set(free.get(k % free.size()), toUncond.get(k));
        }
        return out;
    }

    /** The ControlNets used by {@code conditionings} (to be placed with the model). */
    public static List<Placeable> models(Conditioning... conditionings) {
        Set<Placeable> out = new LinkedHashSet<>();
        for (Conditioning c : conditionings) {
            if (c != null) {
                for (Conditioning.Entry e : c.entries()) {
                    ControlApplication a = of(e);
                    if (a != null) {
                        a.chain().forEach(x -> out.add(x.net()));
                    }
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** The UNet patches; none when no chunk has a control. */
    public UNetPatches patches() {
        if (this == NONE) {
            return UNetPatches.NONE;
        }
        return UNetPatches.builder()
                .block(BlockId.MIDDLE, call -> {
                    Tensor out = call.proceed();
                    return compute(call.context()) ? out.add(middle) : out;
                })
                .skip((inputBlock, outputBlock, skip, fc) -> compute(fc) ? skip.add(outputs.get(inputBlock)) : skip)
                .build();
    }

    /** Computes the residuals on the first call of a forward; false when no control acts at this σ. */
    private synchronized boolean compute(ForwardContext fc) {
        if (computed) {
            return outputs != null;
        }
        computed = true;
        try (PointerScope scope = new PointerScope()) {
            List<ControlNetModel.Residuals> runs = new ArrayList<>();
            List<Long> runRows = new ArrayList<>();
            int i = 0;
            while (i < chunks.size()) {
                int j = i;
                while (j < chunks.size() && chunks.get(j) == chunks.get(i)) {
                    j++;
                }
                runs.add(chunks.get(i) == null ? null : evaluate(chunks.get(i), fc, i * rowsPerChunk, j - i));
                runRows.add((j - i) * rowsPerChunk);
                i = j;
            }
            ControlNetModel.Residuals any = runs.stream().filter(r -> r != null).findFirst().orElse(null);
            if (any == null) {
                return false;
            }
            List<Tensor> outs = new ArrayList<>();
            for (int b = 0; b < any.outputs().size(); b++) {
                int block = b;
                outs.add(keep(concat(runs, runRows, r -> r.outputs().get(block))));
            }
            outputs = outs;
            middle = keep(concat(runs, runRows, ControlNetModel.Residuals::middle));
            return true;
        }
    }

    /** One run of chunks sharing an application chain: the sum of its active applications' residuals, or null. */
    private ControlNetModel.Residuals evaluate(ControlApplication control, ForwardContext fc, long offset, int count) {
        long rows = count * rowsPerChunk;
        Tensor x = fc.x().narrow(0, offset, rows);
        Tensor t = fc.timesteps().narrow(0, offset, rows);
        Tensor context = fc.context() == null ? null : fc.context().narrow(0, offset, rows);
        Tensor y = fc.y() == null ? null : fc.y().narrow(0, offset, rows);
        DiscreteSchedule schedule = model.schedule();
        UNetConfig config = model.unet().config();
        float s = (float) sigma; // the reference compares a float32 σ with float32 bounds
        ControlNetModel.Residuals sum = null;
        for (ControlApplication a : control.chain()) {
            if (s > (float) schedule.percentToSigma(a.startPercent())
                    || s < (float) schedule.percentToSigma(a.endPercent())) {
                continue;
            }
            Tensor hint = a.hint(x.size(2), x.size(3), rowsPerChunk, x);
            if (hint.size(0) != 1 && count > 1) {
                hint = hint.repeat(count, 1, 1, 1);
            }
            Tensor latent = x.narrow(1, 0, a.net().config().inChannels()); // without inpainting channels
            ControlNetModel.Residuals r = a.net().forward(config, latent, hint, t, context, y, a.strength());
            sum = sum == null ? r : add(sum, r);
        }
        return sum;
    }

    private static ControlNetModel.Residuals add(ControlNetModel.Residuals earlier, ControlNetModel.Residuals later) {
        List<Tensor> outs = new ArrayList<>();
        for (int i = 0; i < earlier.outputs().size(); i++) {
            outs.add(earlier.outputs().get(i).add(later.outputs().get(i)));
        }
        return new ControlNetModel.Residuals(outs, earlier.middle().add(later.middle()));
    }

    /** The runs' residuals of one block, stacked in batch order, zeros for runs without control. */
    private static Tensor concat(List<ControlNetModel.Residuals> runs, List<Long> rows,
            java.util.function.Function<ControlNetModel.Residuals, Tensor> part) {
        if (runs.size() == 1) {
            return part.apply(runs.get(0));
        }
        Tensor like = runs.stream().filter(r -> r != null).map(part).findFirst().orElseThrow();
        TensorVector parts = new TensorVector();
        for (int k = 0; k < runs.size(); k++) {
            ControlNetModel.Residuals r = runs.get(k);
            if (r != null) {
                parts.push_back(part.apply(r));
            } else {
                long[] shape = like.shape();
                shape[0] = rows.get(k);
                parts.push_back(like.narrow(0, 0, 1).mul(new Scalar(0.0)).expand(shape).contiguous());
            }
        }
        return torch.cat(parts, 0);
    }

    private static Tensor keep(Tensor t) {
        t.retainReference();
        return t;
    }

    /** Frees the residuals of this call. */
    @Override
    public synchronized void close() {
        if (outputs != null) {
            outputs.forEach(Tensor::releaseReference);
            middle.releaseReference();
        }
        outputs = null;
        middle = null;
    }
}
