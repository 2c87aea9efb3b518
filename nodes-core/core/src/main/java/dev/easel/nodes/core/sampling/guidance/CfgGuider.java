package dev.easel.nodes.core.sampling.guidance;

import dev.easel.nodes.core.controlnet.ControlApplication;
import dev.easel.nodes.core.controlnet.ControlPatches;
import dev.easel.nodes.core.model.WeightPatcher;
import dev.easel.nodes.core.sampling.Denoiser;
import dev.easel.nodes.core.sampling.Prediction;
import dev.easel.nodes.core.sd.AdmEncoder;
import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import dev.easel.nodes.core.unet.UNetPatches;
import dev.easel.nodes.core.vae.LatentFormat;
import dev.easel.runtime.placement.Placeable;
import dev.easel.nodes.core.value.Conditioning;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A GUIDER value (ComfyUI's CFGGuider; BasicGuider is the one without a negative): a model, its conditionings and the
 * guidance scale, turned into the {@link Denoiser} samplers call.
 *
 * <p>Each conditioning entry is evaluated on its area of the latent (ConditioningSetArea; the whole latent when it has
 * none), weighted by its strength with an 8-cell linear fade at area edges inside the latent; overlapping entries of
 * one branch average by weight. All entries of both branches whose inputs have the same shape go through the UNet in
 * one batch (texts of different token lengths are repeated to a common length, which leaves attention unchanged). At
 * cfg 1 the negative branch is skipped, unless the sampler steps along it (CFG++).
 *
 * <p>Entries with a ControlNet ({@code control} option) get its residuals in their UNet call: {@link ControlPatches}
 * turns each batch's applications into UNet patches, evaluated once per UNet forward.
 *
 * <p>Owns one reference to the model and the conditionings from its creation; its creator releases it.
 */
public final class CfgGuider implements Guider {

    private static final int AREA_FADE_CELLS = 8;

    private final DiffusionModel model;
    private final Conditioning positive;
    private final Conditioning negative;
    private final double cfg;

    /** Retains the model and conditionings (released with the guider). */
    public CfgGuider(DiffusionModel model, Conditioning positive, Conditioning negative, double cfg) {
        this.model = Objects.requireNonNull(model, "model");
        this.positive = Objects.requireNonNull(positive, "positive");
        this.negative = negative;
        this.cfg = cfg;
        retain();
    }

    /** BasicGuider: the positive conditioning only, no guidance. */
    public static CfgGuider basic(DiffusionModel model, Conditioning conditioning) {
        return new CfgGuider(model, conditioning, null, 1.0);
    }

    public DiffusionModel model() {
        return model;
    }

    public double cfg() {
        return cfg;
    }

    @Override
    public Denoiser denoiser(boolean needsUncond, SampledLatent latent) {
        return denoiser(needsUncond, latent, UNetPatches.NONE);
    }

    @Override
    public LatentFormat latentFormat() {
        return model.latentFormat();
    }

    @Override
    public DiscreteSchedule schedule() {
        return model.schedule();
    }

    @Override
    public List<Placeable> models() {
        List<Placeable> models = new ArrayList<>(List.of(model.unet()));
        models.addAll(ControlPatches.models(positive, negative));
        return models;
    }

    @Override
    public WeightPatcher.Use usePatches() {
        return model.usePatches();
    }

    /**
     * The denoiser over this guider.
     *
     * @param needsUncond evaluate the negative branch even at cfg 1 ({@code SamplerInfo.needsUncond()})
     * @param latent what is sampled (the extra input channels of inpainting UNets)
     * @param patches UNet patches for every call
     */
    public Denoiser denoiser(boolean needsUncond, SampledLatent latent, UNetPatches patches) {
        boolean guided = negative != null && (needsUncond || Math.abs(cfg - 1.0) > 1e-9);
        return (x, sigma) -> {
            List<Tensor> branches = evaluate(x, sigma, guided ? List.of(positive, negative) : List.of(positive),
                    latent, patches);
            Tensor cond = branches.get(0);
            if (!guided) {
                return new Prediction(cond, torch.zeros_like(x));
            }
            Tensor uncond = branches.get(1);
            return new Prediction(model.cfgFunction().guide(x, sigma, cond, uncond, cfg), uncond);
        };
    }

    /**
     * One chunk of UNet input: an entry of a branch on its area, with its SDXL adm vector {@code y} and inpainting
     * channels {@code concat} (or null) and its ControlNets.
     */
    private record Chunk(int branch, Tensor xIn, Tensor context, Tensor y, Tensor concat, long[] area,
            Tensor weight, ControlApplication control) {
    }

    private List<Tensor> evaluate(Tensor x, double sigma, List<Conditioning> conditionings, SampledLatent latent,
            UNetPatches patches) {
        List<Chunk> chunks = new ArrayList<>();
        List<List<ControlApplication>> controls = ControlPatches.perEntry(conditionings);
        for (int b = 0; b < conditionings.size(); b++) {
            List<Conditioning.Entry> entries = conditionings.get(b).entries();
            for (int i = 0; i < entries.size(); i++) {
                chunks.add(chunk(b, entries.get(i), x, latent, controls.get(b).get(i)));
            }
        }
        List<Tensor> sums = new ArrayList<>();
        List<Tensor> weights = new ArrayList<>();
        for (int b = 0; b < conditionings.size(); b++) {
            sums.add(torch.zeros_like(x));
            weights.add(torch.ones_like(x).mul(new Scalar(1e-37)));
        }
        for (List<Chunk> batch : batchesByShape(chunks)) {
            Tensor denoised = runBatch(batch, x.size(0), sigma, patches);
            long offset = 0;
            for (Chunk c : batch) {
                Tensor part = denoised.narrow(0, offset, x.size(0));
                offset += x.size(0);
                int bi = c.branch();
                sums.set(bi, addInArea(sums.get(bi), part.mul(c.weight()), c.area()));
                weights.set(bi, addInArea(weights.get(bi), c.weight(), c.area()));
            }
        }
        List<Tensor> out = new ArrayList<>();
        for (int b = 0; b < conditionings.size(); b++) {
            out.add(sums.get(b).div(weights.get(b)));
        }
        return out;
    }

    private Chunk chunk(int branch, Conditioning.Entry entry, Tensor x, SampledLatent latent,
            ControlApplication control) {
        AdmEncoder adm = model.adm();
        if (entry.options().containsKey("mask")) {
            throw new IllegalArgumentException("conditioning masks are not supported yet");
        }
        double strength = ((Number) entry.options().getOrDefault("strength", 1.0)).doubleValue();
        long height = x.size(2);
        long width = x.size(3);
        long[] area = {height, width, 0, 0};
        if (entry.options().get("area") instanceof List<?> a && a.size() == 4) {
            long h = ((Number) a.get(0)).longValue();
            long w = ((Number) a.get(1)).longValue();
            long y = Math.min(((Number) a.get(2)).longValue(), height - 1);
            long xo = Math.min(((Number) a.get(3)).longValue(), width - 1);
            area = new long[] {Math.max(1, Math.min(h, height - y)), Math.max(1, Math.min(w, width - xo)), y, xo};
        }
        Tensor xIn = x.narrow(2, area[2], area[0]).narrow(3, area[3], area[1]);
        Tensor weight = torch.ones_like(xIn).mul(new Scalar(strength));
        weight = fadeEdges(weight, area, height, width);
        Tensor y = adm == null ? null
                : toBatch(adm.encode(entry.options(), height, width, branch == 1), x.size(0)).to(x);
        Tensor concat = extraChannels(entry, x, latent);
        if (concat != null) {
            concat = concat.narrow(2, area[2], area[0]).narrow(3, area[3], area[1]);
        }
        return new Chunk(branch, xIn, toBatch(entry.cond().tensor(), x.size(0)), y, concat, area, weight, control);
    }

    /** The inpainting UNet's extra input channels for {@code entry}, or {@code null} for a plain UNet. */
    private Tensor extraChannels(Conditioning.Entry entry, Tensor x, SampledLatent latent) {
        long extra = model.unet().config().inChannels() - x.size(1);
        if (extra == 0) {
            return null;
        }
        if (extra != InpaintConcat.EXTRA_CHANNELS) {
            throw new IllegalArgumentException("this UNet takes " + model.unet().config().inChannels()
                    + " input channels; Easel feeds " + x.size(1) + " (plain) or " + (x.size(1)
                    + InpaintConcat.EXTRA_CHANNELS) + " (inpainting) channel models");
        }
        Tensor image = latent.image() != null ? latent.image() : torch.zeros_like(x);
        return InpaintConcat.of(entry.options(), image, latent.denoiseMask(), model.latentFormat());
    }

    /** Linear fade over the first/last cells of an area edge that lies inside the latent (soft area borders). */
    private static Tensor fadeEdges(Tensor weight, long[] area, long height, long width) {
        Tensor w = weight.clone();
        long rows = area[0];
        long cols = area[1];
        for (int t = 0; t < AREA_FADE_CELLS; t++) {
            double f = (t + 1.0) / AREA_FADE_CELLS;
            if (area[2] != 0 && t < rows) {
                w.narrow(2, t, 1).mul_(new Scalar(f));
            }
            if (area[2] + rows < height && t < rows) {
                w.narrow(2, rows - 1 - t, 1).mul_(new Scalar(f));
            }
            if (area[3] != 0 && t < cols) {
                w.narrow(3, t, 1).mul_(new Scalar(f));
            }
            if (area[3] + cols < width && t < cols) {
                w.narrow(3, cols - 1 - t, 1).mul_(new Scalar(f));
            }
        }
        return w;
    }

    /** A cond (or y) of batch 1 (or any other) repeated or cut to the latent's batch. */
    private static Tensor toBatch(Tensor cond, long batch) {
        long n = cond.size(0);
        if (n == batch) {
            return cond;
        }
        long times = (batch + n - 1) / n;
        long[] repeats = new long[(int) cond.dim()];
        java.util.Arrays.fill(repeats, 1);
        repeats[0] = times;
        return cond.repeat(repeats).narrow(0, 0, batch);
    }

    private static List<List<Chunk>> batchesByShape(List<Chunk> chunks) {
        Map<String, List<Chunk>> groups = new LinkedHashMap<>();
        for (Chunk c : chunks) {
            String key = java.util.Arrays.toString(c.xIn().shape()) + "/" + c.context().size(2);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
        }
        return new ArrayList<>(groups.values());
    }

    private Tensor runBatch(List<Chunk> batch, long latentBatch, double sigma, UNetPatches patches) {
        long tokens = 1;
        for (Chunk c : batch) {
            tokens = lcm(tokens, c.context().size(1));
        }
        TensorVector xs = new TensorVector();
        TensorVector contexts = new TensorVector();
        TensorVector ys = new TensorVector();
        TensorVector concats = new TensorVector();
        for (Chunk c : batch) {
            xs.push_back(c.xIn());
            if (c.concat() != null) {
                concats.push_back(c.concat());
            }
            if (c.y() != null) {
                ys.push_back(c.y());
            }
            long repeat = tokens / c.context().size(1);
            contexts.push_back(repeat == 1 ? c.context() : c.context().repeat(1, repeat, 1));
        }
        Tensor xIn = torch.cat(xs, 0);
        Tensor context = torch.cat(contexts, 0).to(xIn); // the latent's device and dtype
        Tensor y = ys.empty() ? null : torch.cat(ys, 0);
        Tensor sigmas = torch.full(new long[] {xIn.size(0)}, new Scalar(sigma));
        Tensor concat = concats.empty() ? null : torch.cat(concats, 0);
        try (ControlPatches controls = ControlPatches.forBatch(model, batch.stream().map(Chunk::control).toList(),
                latentBatch, sigma)) {
            return model.denoiser().denoise(xIn, sigmas, context, y, concat, patches.and(controls.patches()));
        }
    }

    private static Tensor addInArea(Tensor total, Tensor value, long[] area) {
        if (area[0] == total.size(2) && area[1] == total.size(3)) {
            return total.add(value);
        }
        Tensor padded = torch.zeros_like(total);
        padded.narrow(2, area[2], area[0]).narrow(3, area[3], area[1]).copy_(value);
        return total.add(padded);
    }

    private static long lcm(long a, long b) {
        long x = a;
        long y = b;
        while (y != 0) {
            long t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }

    @Override
    public void retain() {
        model.retain();
        positive.retain();
        if (negative != null) {
            negative.retain();
        }
    }

    @Override
    public void release() {
        model.release();
        positive.release();
        if (negative != null) {
            negative.release();
        }
    }

    @Override
    public long nativeBytes() {
        return 0; // the model and conditionings are counted where they are owned
    }
}
