package dev.easel.bench.sd;

import dev.easel.node.Folders;
import dev.easel.node.NodeContext;
import dev.easel.node.Preview;
import dev.easel.node.RuntimeInfo;
import dev.easel.node.Subgraph;
import dev.easel.nodes.core.clip.ClipTextEncoder;
import dev.easel.nodes.core.sampling.Denoiser;
import dev.easel.nodes.core.sampling.LatentPreview;
import dev.easel.nodes.core.sampling.LatentSampling;
import dev.easel.nodes.core.sampling.Noise;
import dev.easel.nodes.core.sampling.NoiseKind;
import dev.easel.nodes.core.sampling.NoiseSource;
import dev.easel.nodes.core.sampling.Prediction;
import dev.easel.nodes.core.sampling.SamplerInfo;
import dev.easel.nodes.core.sampling.Samplers;
import dev.easel.nodes.core.sampling.guidance.CfgGuider;
import dev.easel.nodes.core.sampling.guidance.Guider;
import dev.easel.nodes.core.sampling.noise.BrownianTreeNoise;
import dev.easel.nodes.core.sampling.noise.NoiseSources;
import dev.easel.nodes.core.sampling.schedule.Schedulers;
import dev.easel.nodes.core.sd.CheckpointLoading;
import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.nodes.core.unet.DiscreteSchedule;
import dev.easel.nodes.core.vae.LatentFormat;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.Latent;
import dev.easel.runtime.TensorRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The sampler-overhead benchmark of issue 5 (numbers, not a test): the time a sampling spends outside the denoiser
 * (sampler arithmetic, noise incl. the Brownian tree, the per-step listener with its preview JPEG, scopes, start and
 * end of {@link LatentSampling#sample}) per step, as a fraction of one tiny-UNet step (one guided model call: the
 * CfgGuider's denoiser, one UNet forward of batch 2 for CFG). Target: under 1%.
 *
 * <p>The tiny random-weight SD1.5-layout checkpoint is loaded in float32 on the CPU, a positive and a negative prompt
 * encoded with its CLIP, and {@code LatentSampling.sample} — what the KSampler node runs — timed end to end for each
 * sampler, 20 karras steps, cfg 7, an empty latent. A {@link Guider} decorator times every denoiser call with
 * {@link System#nanoTime()}; the overhead is the run's total minus those calls, so UNet timing noise cancels. Each
 * configuration runs once to warm up, then {@code runs} times; the median is reported. With previews, a NodeContext
 * stub takes progress and previews (the preview JPEG of every step is encoded, as on the server); without, the
 * context is null (no progress, no previews). Latents whose guided call takes over half a second (64×64 on a CPU)
 * run {@code --large-runs} times (default 1), previews on only, after the small ones. The overhead is split into
 * edges (before the first and after the last call), the step listener (clone + preview) and the rest of the loop.
 * Afterwards, isolated timings of what the overhead is made of.
 *
 * <p>Usage: {@code SdBenchmarks sampler [--runs N] [--large-runs N] [--latents 8,64] [--steps N]
 * [--samplers a,b,...] [--checkpoint PATH]}.
 */
final class SamplerOverheadBenchmark {

    static final List<String> DEFAULT_SAMPLERS = List.of("euler", "euler_ancestral", "heun", "lms", "dpmpp_2m",
            "dpmpp_2m_sde", "dpmpp_sde", "uni_pc");
    static final List<Integer> DEFAULT_LATENTS = List.of(8, 64);
    /** A latent whose guided call takes longer than this is "large": fewer runs (the overhead is a within-run
     * difference, so one run measures it; the small latents, measured first, have warmed every code path up). */
    private static final double LARGE_CALL_MS = 500;
    private static final double CFG = 7.0;
    private static final long SEED = 42;
    private static final String POSITIVE = "a photograph of an astronaut riding a (horse:1.2), detailed";
    private static final String NEGATIVE = "blurry, low quality";

    private SamplerOverheadBenchmark() {
    }

    static void run(Path checkpoint, int runs, int largeRuns, int steps, List<String> samplers,
            List<Integer> latents) throws Exception {
        if (!Files.isRegularFile(checkpoint)) {
            throw new IllegalStateException(checkpoint + " is missing (the tiny fixture checkpoint; see --checkpoint)");
        }
        CheckpointLoading.Parts parts = CheckpointLoading.load(checkpoint, ScalarType.Float);
        DiffusionModel model = parts.model();
        Conditioning positive;
        Conditioning negative;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            positive = encode(parts, POSITIVE);
            negative = encode(parts, NEGATIVE);
        }
        parts.clip().release();
        parts.vae().release();
        CfgGuider cfgGuider = new CfgGuider(model, positive, negative, CFG);
        System.out.printf(Locale.ROOT, "sampler overhead: %s (float32, CPU), cfg %.0f (CFG batched: one UNet call of"
                + " batch 2 per model call), %d karras steps, seed %d; per configuration 1 warm-up + %d timed runs,"
                + " medians (latents whose guided call takes over %.0f ms: %d timed run(s), no warm-up of their own,"
                + " previews on only)%n", checkpoint.getFileName(), CFG, steps, SEED, runs, LARGE_CALL_MS, largeRuns);
        System.out.println("columns: ms/call = denoiser time per guided model call (a tiny-UNet step); ovh ms/step ="
                + " (total - denoiser) / sampler steps; ovh/call % = ovh ms/step / ms/call (the target's figure);"
                + " ovh/step % = ovh ms/step / denoiser ms per sampler step; edges = before the first and after the"
                + " last denoiser call; listener/st = denoiser end -> progress report (clone + preview) per step;"
                + " loop ms/st = the rest per step (sampler arithmetic, step noise, scopes)");
        try (NoGradGuard noGrad = new NoGradGuard()) {
            List<Row> rows = new ArrayList<>();
            for (int side : latents) {
                int[] latent = {side, side};
                double callMs = guidedCallMs(cfgGuider, latent);
                boolean large = callMs > LARGE_CALL_MS;
                for (boolean previews : large ? new boolean[] {true} : new boolean[] {true, false}) {
                    String label = String.format(Locale.ROOT, "latent 1x4x%dx%d (%dx%d image), previews %s%s",
                            latent[0], latent[1], latent[0] * 8, latent[1] * 8, previews ? "on" : "off",
                            large ? String.format(Locale.ROOT, " (large: one guided call took %.0f ms; %d run(s),"
                                    + " no warm-up)", callMs, largeRuns) : "");
                    System.out.println();
                    System.out.println(label);
                    System.out.println(Row.HEADER);
                    for (String name : samplers) {
                        Row row = measure(cfgGuider, model, Samplers.get(name), steps, latent, previews,
                                large ? largeRuns : runs, !large);
                        System.out.println(row.format());
                        rows.add(row);
                    }
                }
            }
            System.out.println();
            breakdown(cfgGuider, model, positive, negative, steps, runs, latents);
            System.out.println();
            summary(rows);
        } finally {
            cfgGuider.release();
            positive.release();
            negative.release();
            model.release();
        }
    }

    private static Conditioning encode(CheckpointLoading.Parts parts, String prompt) {
        ClipTextEncoder.Encoded encoded = parts.clip().encode(prompt);
        encoded.cond().retainReference(); // the creation owner, released with the conditioning
        encoded.pooled().retainReference();
        return Conditioning.of(TensorRef.of(encoded.cond()), TensorRef.of(encoded.pooled()));
    }

    // ------------------------------------------------------------------------------------------------ main table

    /**
     * One configuration's medians. The overhead splits into: the edges (sample start to the first denoiser call: start
     * latent, noise, Brownian tree set-up; last call's end to the return: processOut, closing), the step listener (a
     * denoiser call's end to the progress report right after it: the kept clone of the denoised latent and the
     * preview; measured only with a context), and the rest of the loop (sampler arithmetic, step noise, scopes).
     */
    private record Row(String sampler, int[] latent, boolean previews, int steps, int calls, double totalMs,
            double denoiserMs, double overheadMs, double edgesMs, double listenerMs, int previewCount) {

        static final String HEADER = String.format(Locale.ROOT, "  %-16s %9s %11s %5s %10s %11s %11s %10s | %8s"
                + " %11s %11s", "sampler", "total ms", "denoiser ms", "calls", "ms/call", "ovh ms/step",
                "ovh/call %", "ovh/step %", "edges ms", "listener/st", "loop ms/st");

        double msPerCall() {
            return denoiserMs / calls;
        }

        double overheadPerStep() {
            return overheadMs / steps;
        }

        /** The target's figure: overhead per sampler step ÷ one tiny-UNet step (one guided model call). */
        double fractionOfCall() {
            return overheadPerStep() / msPerCall();
        }

        /** Overhead per step ÷ the denoiser time of a sampler step (differs for 2-call samplers: heun, dpmpp_sde). */
        double fractionOfStep() {
            return overheadPerStep() / (denoiserMs / steps);
        }

        String format() {
            double listener = Math.max(0, listenerMs);
            return String.format(Locale.ROOT, "  %-16s %9.1f %11.1f %5d %10.3f %11.4f %10.3f%% %9.3f%% | %8.3f %11s"
                    + " %11.4f%s", sampler, totalMs, denoiserMs, calls, msPerCall(), overheadPerStep(),
                    100 * fractionOfCall(), 100 * fractionOfStep(), edgesMs,
                    listenerMs < 0 ? "-" : String.format(Locale.ROOT, "%.4f", listenerMs / steps),
                    (overheadMs - edgesMs - listener) / steps,
                    previews && previewCount != steps ? "  (" + previewCount + " previews)" : "");
        }
    }

    private static Row measure(CfgGuider cfgGuider, DiffusionModel model, SamplerInfo sampler, int steps, int[] latent,
            boolean previews, int runs, boolean warmUp) {
        double[] sigmas = Schedulers.forKSampler("karras", model.schedule(), steps, 1.0, sampler.discardPenultimate());
        int samplerSteps = sigmas.length - 1;
        List<Double> totals = new ArrayList<>();
        List<Double> denoisers = new ArrayList<>();
        List<Double> overheads = new ArrayList<>();
        List<Double> edges = new ArrayList<>();
        List<Double> listeners = new ArrayList<>();
        int calls = 0;
        int previewCount = 0;
        for (int i = warmUp ? 0 : 1; i <= runs; i++) { // run 0 warms up
            TimedGuider guider = new TimedGuider(cfgGuider);
            StubContext context = previews ? new StubContext(guider) : null;
            long t0;
            long t1;
            try (PointerScope scope = new PointerScope()) {
                Latent empty = Latent.of(TensorRef.of(torch.zeros(1, 4, latent[0], latent[1])));
                t0 = System.nanoTime();
                LatentSampling.Sampled out = LatentSampling.sample(guider, sampler, sigmas, empty, Noise.random(SEED),
                        context);
                t1 = System.nanoTime();
                if (!Double.isFinite(out.output().samples().tensor().abs().max().item().toDouble())) {
                    throw new IllegalStateException(sampler.name() + " produced a non-finite latent");
                }
            }
            if (i == 0) {
                continue;
            }
            long totalNanos = t1 - t0;
            totals.add(totalNanos / 1e6);
            denoisers.add(guider.nanos / 1e6);
            overheads.add((totalNanos - guider.nanos) / 1e6);
            long lastOverheadStart = context != null && context.lastReport > guider.lastEnd
                    ? context.lastReport : guider.lastEnd; // the last step's listener counts as listener
            edges.add(((guider.firstStart - t0) + (t1 - lastOverheadStart)) / 1e6);
            listeners.add(context == null ? -1.0 : context.listenerNanos / 1e6);
            calls = guider.calls;
            previewCount = context == null ? 0 : context.previews;
        }
        return new Row(sampler.name(), latent, previews, samplerSteps, calls, SdBenchmarks.median(totals),
                SdBenchmarks.median(denoisers), SdBenchmarks.median(overheads), SdBenchmarks.median(edges),
                SdBenchmarks.median(listeners), previewCount);
    }

    private static void summary(List<Row> rows) {
        for (boolean previews : new boolean[] {true, false}) {
            List<Row> these = rows.stream().filter(r -> r.previews() == previews).toList();
            if (these.isEmpty()) {
                continue;
            }
            Row worst = these.get(0);
            Row best = these.get(0);
            for (Row r : these) {
                worst = r.fractionOfCall() > worst.fractionOfCall() ? r : worst;
                best = r.fractionOfCall() < best.fractionOfCall() ? r : best;
            }
            long over = these.stream().filter(r -> r.fractionOfCall() >= 0.01).count();
            System.out.printf(Locale.ROOT, "B-sampler-overhead (previews %s): %d of %d sampler/latent configurations at"
                    + " or above the 1%% target; worst %s @ %dx%d: %.4f ms per step = %.3f%% of a tiny-UNet step"
                    + " (%.3f ms per guided model call); best %s @ %dx%d: %.3f%%%n", previews ? "on" : "off", over,
                    these.size(), worst.sampler(), worst.latent()[0], worst.latent()[1], worst.overheadPerStep(),
                    100 * worst.fractionOfCall(), worst.msPerCall(), best.sampler(), best.latent()[0],
                    best.latent()[1], 100 * best.fractionOfCall());
        }
    }

    // ------------------------------------------------------------------------------------------------ breakdown

    /**
     * Isolated timings of the overhead's parts, for each latent size: the UNet call alone against the guided call (the
     * CFG wrapper counts as denoiser time above), the step listener's preview JPEG (back to back, and right after a
     * model call as in a sampling), the Brownian tree of the SDE samplers, and the per-step clone the listener keeps
     * of the denoised latent.
     */
    private static void breakdown(CfgGuider cfgGuider, DiffusionModel model, Conditioning positive,
            Conditioning negative, int steps, int runs, List<Integer> latents) {
        System.out.println("breakdown (isolated timings, medians; per call unless stated)");
        double[] sigmas = Schedulers.forKSampler("karras", model.schedule(), steps, 1.0, false);
        LatentFormat format = model.latentFormat();
        int reps = Math.max(5, runs * 3);
        for (int side : latents) {
            int[] latent = {side, side};
            String size = latent[0] + "x" + latent[1];
            long[] shape = {1, 4, latent[0], latent[1]};
            try (PointerScope scope = new PointerScope()) {
                torch.manual_seed(3);
                Tensor x = torch.randn(shape).mul(new Scalar(sigmas[steps / 2]));
                double sigma = sigmas[steps / 2];
                Denoiser guided = cfgGuider.denoiser(false);
                TensorVector both = new TensorVector();
                both.push_back(x);
                both.push_back(x);
                Tensor x2 = torch.cat(both, 0);
                TensorVector conds = new TensorVector();
                conds.push_back(positive.entries().get(0).cond().tensor());
                conds.push_back(negative.entries().get(0).cond().tensor());
                Tensor context = torch.cat(conds, 0);
                Tensor sig2 = torch.full(new long[] {2}, new Scalar(sigma));
                // Fewer repetitions for large latents.
                boolean large = guidedCallMs(cfgGuider, latent) > LARGE_CALL_MS;
                int callReps = large ? 4 : 4 * reps;
                double guidedMs = Double.POSITIVE_INFINITY;
                double unetMs = Double.POSITIVE_INFINITY;
                for (int r = 0; r < callReps; r++) { // alternating order; minima, the least disturbed by load
                    double g;
                    double u;
                    if (r % 2 == 0) {
                        g = medianMs(0, () -> guided.predict(x, sigma));
                        u = medianMs(0, () -> model.denoiser().denoise(x2, sig2, context));
                    } else {
                        u = medianMs(0, () -> model.denoiser().denoise(x2, sig2, context));
                        g = medianMs(0, () -> guided.predict(x, sigma));
                    }
                    guidedMs = Math.min(guidedMs, g);
                    unetMs = Math.min(unetMs, u);
                }
                System.out.printf(Locale.ROOT, "  %s: guided model call %.3f ms, bare UNet denoise (batch 2, same"
                        + " inputs) %.3f ms (minima of %d each, alternating); difference %.3f ms = the CfgGuider's"
                        + " own work (batching, area weights, cfg mix; counted as denoiser time above), only as precise"
                        + " as the call-to-call noise%n", size, guidedMs, unetMs, callReps, guidedMs - unetMs);

                LatentPreview preview = new LatentPreview(format);
                Tensor modelLatent = format.processIn(x);
                double previewMs = medianMs(reps * 4, () -> preview.of(modelLatent));
                Preview p = preview.of(modelLatent);
                // As in a sampling: each preview right after a guided model call; then the same with ImageIO's
                // process-wide stream cache off (an in-memory ImageOutputStream instead of a temp file per image).
                int afterReps = large ? 3 : 10;
                double afterCallMs = previewAfterCall(guided, x, sigma, preview, modelLatent, afterReps);
                boolean cache = ImageIO.getUseCache();
                ImageIO.setUseCache(false);
                double afterCallNoCacheMs;
                try {
                    afterCallNoCacheMs = previewAfterCall(guided, x, sigma, preview, modelLatent, afterReps);
                } finally {
                    ImageIO.setUseCache(cache);
                }
                double cloneMs = medianMs(reps * 4, modelLatent::clone);
                System.out.printf(Locale.ROOT, "  %s: preview (latent2rgb + JPEG of %d bytes): %.4f ms back to back,"
                        + " %.4f ms right after a guided model call (as in a sampling), %.4f ms right after one with"
                        + " ImageIO.setUseCache(false); listener's clone of the denoised latent %.4f ms%n", size,
                        p == null ? 0 : p.bytes().length, previewMs, afterCallMs, afterCallNoCacheMs, cloneMs);

                // dpmpp_2m_sde's pattern: one increment per step, σ_i → σ_{i+1}, over a fresh tree each sampling.
                double treeMs = medianMs(reps, () -> {
                    BrownianTreeNoise noise = new BrownianTreeNoise(SEED, shape, sigmas[steps - 1], sigmas[0]);
                    for (int i = 0; i < steps - 1; i++) {
                        noise.next(sigmas[i], sigmas[i + 1]);
                    }
                    noise.close();
                });
                // dpmpp_sde's pattern: two increments per step through the log-midpoint.
                double tree2Ms = medianMs(reps, () -> {
                    BrownianTreeNoise noise = new BrownianTreeNoise(SEED, shape, sigmas[steps - 1], sigmas[0]);
                    for (int i = 0; i < steps - 1; i++) {
                        double mid = Math.sqrt(sigmas[i] * sigmas[i + 1]);
                        noise.next(sigmas[i], mid);
                        noise.next(mid, sigmas[i + 1]);
                    }
                    noise.close();
                });
                double gaussMs = medianMs(reps, () -> {
                    NoiseSource g = NoiseSources.forSampler(NoiseKind.GAUSSIAN, SEED, x, sigmas);
                    for (int i = 0; i < steps - 1; i++) {
                        g.next(sigmas[i], sigmas[i + 1]);
                    }
                });
                System.out.printf(Locale.ROOT, "  %s: Brownian tree (new tree + %d increments, dpmpp_2m_sde pattern)"
                        + " %.3f ms = %.4f ms per step; two increments per step (dpmpp_sde pattern) %.3f ms ="
                        + " %.4f ms per step; Gaussian noise (ancestral) %.4f ms per step%n", size, steps - 1, treeMs,
                        treeMs / steps, tree2Ms, tree2Ms / steps, gaussMs / steps);
            }
        }
    }

    /** Median time of a preview made right after a guided model call. */
    private static double previewAfterCall(Denoiser guided, Tensor x, double sigma, LatentPreview preview,
            Tensor modelLatent, int reps) {
        List<Double> ms = new ArrayList<>();
        for (int r = 0; r <= reps; r++) {
            try (PointerScope call = new PointerScope()) {
                guided.predict(x, sigma);
                double t = medianMs(0, () -> preview.of(modelLatent));
                if (r > 0) {
                    ms.add(t);
                }
            }
        }
        return SdBenchmarks.median(ms);
    }

    /** One guided model call at this latent size, after one untimed call (also warms up the size). */
    private static double guidedCallMs(CfgGuider cfgGuider, int[] latent) {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = torch.randn(1, 4, latent[0], latent[1]);
            Denoiser d = cfgGuider.denoiser(false);
            d.predict(x, 1.0);
            long t0 = System.nanoTime();
            d.predict(x, 1.0);
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    /** Median of {@code reps} timed runs after one warm-up run; {@code reps} 0: one timed run, no warm-up. */
    private static double medianMs(int reps, Runnable body) {
        List<Double> ms = new ArrayList<>();
        for (int i = reps == 0 ? 1 : 0; i <= Math.max(1, reps); i++) {
            try (PointerScope scope = new PointerScope()) {
                long t0 = System.nanoTime();
                body.run();
                double t = (System.nanoTime() - t0) / 1e6;
                if (i > 0) {
                    ms.add(t);
                }
            }
        }
        return SdBenchmarks.median(ms);
    }

    // ------------------------------------------------------------------------------------------------ decorators

    /** A guider whose denoiser times each call (CPU ops are synchronous, so nanoTime brackets the work). */
    private static final class TimedGuider implements Guider {
        private final Guider delegate;
        long nanos;
        int calls;
        long firstStart;
        long lastEnd;

        TimedGuider(Guider delegate) {
            this.delegate = delegate;
        }

        @Override
        public Denoiser denoiser(boolean needsUncond, SampledLatent latent) {
            Denoiser inner = delegate.denoiser(needsUncond, latent);
            return (x, sigma) -> {
                long t0 = System.nanoTime();
                Prediction p = inner.predict(x, sigma);
                long t1 = System.nanoTime();
                nanos += t1 - t0;
                if (calls == 0) {
                    firstStart = t0;
                }
                lastEnd = t1;
                calls++;
                return p;
            };
        }

        @Override
        public LatentFormat latentFormat() {
            return delegate.latentFormat();
        }

        @Override
        public DiscreteSchedule schedule() {
            return delegate.schedule();
        }

        @Override
        public java.util.List<dev.easel.runtime.placement.Placeable> models() {
            return delegate.models();
        }

        @Override
        public void retain() {
            delegate.retain();
        }

        @Override
        public void release() {
            delegate.release();
        }

        @Override
        public long nativeBytes() {
            return 0;
        }
    }

    /** A node context that takes progress and previews (keeping the last preview, as a sender would hold it). */
    private static final class StubContext implements NodeContext {
        private final TimedGuider guider;
        int previews;
        Preview last;
        /** Time from the end of a denoiser call to the progress report that follows it (the step listener). */
        long listenerNanos;
        /** When the last progress report came (nanoTime). */
        long lastReport;
        private int reportedCall;

        StubContext(TimedGuider guider) {
            this.guider = guider;
        }

        private void listened() {
            long now = System.nanoTime();
            if (guider.calls > reportedCall) {
                listenerNanos += now - guider.lastEnd;
                reportedCall = guider.calls;
            }
            lastReport = now;
        }

        @Override
        public String nodeId() {
            return "3";
        }

        @Override
        public String displayNodeId() {
            return "3";
        }

        @Override
        public String promptId() {
            return "bench";
        }

        @Override
        public void progress(long value, long max) {
            listened();
        }

        @Override
        public void progress(long value, long max, Preview preview) {
            listened();
            if (preview != null) {
                previews++;
                last = preview;
            }
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void checkCancelled() {
        }

        @Override
        public System.Logger logger() {
            return System.getLogger("bench");
        }

        @Override
        public RuntimeInfo runtime() {
            return null;
        }

        @Override
        public Folders folders() {
            return null;
        }

        @Override
        public Subgraph newSubgraph() {
            throw new UnsupportedOperationException();
        }
    }
}
