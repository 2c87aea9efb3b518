package dev.easel.bench.sd;

import dev.easel.nodes.core.model.files.RandomCheckpointWriter;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.sd.CheckpointLoading;
import dev.easel.nodes.core.unet.ShapeSource;
import dev.easel.nodes.core.unet.UNetConfig;
import dev.easel.nodes.core.unet.UNetModel;
import dev.easel.nodes.core.unet.UNetPatches;
import dev.easel.runtime.ThreadSettings;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The SD1.5-size benchmarks of issue 4, printing numbers (not timed tests):
 *
 * <ul>
 *   <li>{@code unet}: SD1.5-size UNet forward, batch 2 (CFG), 64×64 latent, random float32 weights on the CPU;
 *       achieved GFLOP/s (803 GFLOP per image-forward, docs/performance.md) as a fraction of a 2048² float32 matmul's
 *       GFLOP/s measured in the same run with the same thread settings. Target ≥ 0.7.</li>
 *   <li>{@code gen}: writes the 2.1 GB float16 SD1.5-layout checkpoint (random weights from sd15_keys.tsv) if it is
 *       not there yet.</li>
 *   <li>{@code load}: loads that checkpoint to float32 weights on the CPU ({@code CheckpointLoading.load}): time as a
 *       multiple of one sequential read of the file just before (page cache warm for both), and peak RSS (VmHWM) as
 *       a multiple of the float32 weights. Targets ≤ 1.5× and ≤ 1.15×. Run it in a fresh JVM (after {@code gen}) so
 *       that the peak is the load's. {@code load-mmap} measures the previous path (copying every tensor out of one
 *       whole-file mapping) for comparison. For the breakdown it also times {@code StateDict.readSafetensors} alone
 *       and a floor with no file: allocating the float32 weights' worth of new memory and writing it once.</li>
 *   <li>{@code sampler}: sampler overhead per step (everything but the denoiser call) as a fraction of a tiny-UNet
 *       step, for several samplers on the tiny fixture checkpoint, with and without previews (issue 5; target under
 *       1%; {@link SamplerOverheadBenchmark}).</li>
 * </ul>
 *
 * Usage: {@code SdBenchmarks <unet|gen|load|load-mmap|sampler> [--runs N] [--file PATH] [--manifest PATH]
 * [--checkpoint PATH] [--steps N] [--samplers a,b,...] [--latents 8,64] [--large-runs N]}.
 */
public final class SdBenchmarks {

    /** UNet FLOPs of one image-forward at a 64×64 latent (docs/performance.md). */
    static final double UNET_GFLOP_PER_IMAGE = 803.0;

    private SdBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: SdBenchmarks <unet|sdxl-unet|gen|load|load-mmap|sampler> [--runs N] [--file PATH]"
                    + " [--manifest PATH] [--checkpoint PATH] [--steps N] [--samplers a,b,...] [--latents 8,64]"
                    + " [--large-runs N]");
            System.exit(2);
        }
        String mode = args[0];
        int runs = 3;
        Path file = Path.of("e2e-tests/target/sd15-random/sd15_random_s1_f16.safetensors");
        Path manifest = Path.of("../shared/fixtures/sd15_keys.tsv");
        Path checkpoint = Path.of("../shared/fixtures/sd15_tiny_s1234_f16.safetensors");
        int steps = 20;
        int largeRuns = 1;
        List<String> samplers = SamplerOverheadBenchmark.DEFAULT_SAMPLERS;
        List<Integer> latents = SamplerOverheadBenchmark.DEFAULT_LATENTS;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--file" -> file = Path.of(args[++i]);
                case "--manifest" -> manifest = Path.of(args[++i]);
                case "--checkpoint" -> checkpoint = Path.of(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--large-runs" -> largeRuns = Integer.parseInt(args[++i]);
                case "--samplers" -> samplers = List.of(args[++i].split(","));
                case "--latents" -> latents = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Torch.load();
        System.out.println("threads: " + ThreadSettings.current() + " (ATen intra-op, OpenBLAS), cores "
                + Runtime.getRuntime().availableProcessors());
        switch (mode) {
            case "unet" -> unet(SD15, runs);
            case "sdxl-unet" -> unet(SDXL, runs);
            case "gen" -> {
                long t0 = System.nanoTime();
                RandomCheckpointWriter.write(manifest, file, 1);
                System.out.printf(Locale.ROOT, "checkpoint %s: %.2f GB, ready in %.1f s%n", file,
                        Files.size(file) / 1e9, (System.nanoTime() - t0) / 1e9);
            }
            case "load" -> load(file, runs, false);
            case "load-mmap" -> load(file, runs, true);
            case "sampler" -> SamplerOverheadBenchmark.run(checkpoint, runs, largeRuns, steps, samplers, latents);
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    // ------------------------------------------------------------------------------------------------ (a) UNet

    /**
     * A UNet forward benchmark: the model's size, its input shapes and its analytic cost (docs/performance.md).
     *
     * @param gflopPerImage one image's forward at this resolution
     * @param warmUp whether an untimed forward runs first (skipped where one forward takes minutes)
     */
    record UNetCase(String label, String manifest, UNetConfig.Heads heads, int latent, int context, Integer adm,
                    double gflopPerImage, boolean warmUp, String target) {
    }

    static final UNetCase SD15 = new UNetCase("SD1.5 UNet batch 2 @ 64x64", "../shared/fixtures/sd15_keys.tsv",
            UNetConfig.Heads.count(8), 64, 768, null, UNET_GFLOP_PER_IMAGE, true, "target >= 0.7");
    /** SDXL at 1024² (128² latent), a CFG step's batch of 2: 6.76 TFLOP per image. */
    static final UNetCase SDXL = new UNetCase("SDXL UNet batch 2 @ 128x128 (1024^2 image)",
            "../shared/fixtures/sdxl/sdxl_keys.tsv", UNetConfig.Heads.width(64), 128, 2048, 2816, 6760.0, false,
            "issue 10 reports it");

    private static void unet(UNetCase spec, int runs) throws IOException {
        double matmul = matmulGflops(5);
        StateDict weights = randomUnetWeights(Path.of(spec.manifest()));
        UNetModel unet = UNetModel.load(weights, UNetConfig.fromStateDict(ShapeSource.of(weights), spec.heads()));
        weights.release();
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            torch.manual_seed(7);
            Tensor x = torch.randn(2, 4, spec.latent(), spec.latent());
            Tensor t = torch.full(new long[] {2}, new Scalar(500.0), new TensorOptions(ScalarType.Float));
            Tensor context = torch.randn(2, 77, spec.context());
            Tensor y = spec.adm() == null ? null : torch.randn(2, spec.adm());
            List<Double> seconds = new ArrayList<>();
            for (int i = spec.warmUp() ? 0 : 1; i <= runs; i++) { // run 0 is the warm-up
                try (PointerScope step = new PointerScope()) {
                    long t0 = System.nanoTime();
                    Tensor eps = unet.forward(x, t, context, y, UNetPatches.NONE);
                    eps.sum().item().toDouble(); // keeps the result used
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf(Locale.ROOT, "  unet forward %s: %.2f s%n", i == 0 ? "(warm-up)" : "#" + i, s);
                    if (i > 0) {
                        seconds.add(s);
                    }
                }
            }
            double after = matmulGflops(5); // the machine may have changed speed meanwhile: both ends reported
            double median = median(seconds);
            double gflops = 2 * spec.gflopPerImage() / median;
            System.out.printf(Locale.ROOT, "B-unet: %s float32 CPU: median %.2f s (%d runs: %s) = %.1f GFLOP/s;"
                    + " matmul 2048^2 %.1f GFLOP/s before, %.1f after; fraction %.2f of the mean (%s)%n",
                    spec.label(), median, seconds.size(), format(seconds), gflops, matmul, after,
                    gflops / ((matmul + after) / 2), spec.target());
        } finally {
            unet.release();
        }
    }

    /** Median GFLOP/s of a 2048×2048 float32 matmul (2·n³ FLOPs) after a warm-up. */
    static double matmulGflops(int runs) {
        int n = 2048;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            torch.manual_seed(5);
            Tensor a = torch.randn(n, n);
            Tensor b = torch.randn(n, n);
            Tensor c = torch.empty(n, n);
            torch.mm_out(c, a, b); // warm-up
            List<Double> rates = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                torch.mm_out(c, a, b);
                double s = (System.nanoTime() - t0) / 1e9;
                rates.add(2.0 * n * n * n / s / 1e9);
            }
            double median = median(rates);
            System.out.printf(Locale.ROOT, "  matmul 2048^2 float32: %s GFLOP/s (median %.1f)%n", format(rates),
                    median);
            return median;
        }
    }

    /** Float32 UNet weights with the shapes of the manifest's {@code model.diffusion_model.*} tensors. */
    private static StateDict randomUnetWeights(Path manifest) throws IOException {
        String prefix = "model.diffusion_model.";
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(11);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (RandomCheckpointWriter.Entry e : RandomCheckpointWriter.readManifest(manifest)) {
                if (!e.name().startsWith(prefix)) {
                    continue;
                }
                long[] shape = e.shape();
                long fanIn = 1;
                for (int i = 1; i < shape.length; i++) {
                    fanIn *= shape[i];
                }
                Tensor t = shape.length <= 1
                        ? (e.name().endsWith(".weight") ? torch.ones(shape) : torch.zeros(shape))
                        : torch.randn(shape).mul_(new Scalar(1.0 / Math.sqrt(fanIn)));
                tensors.put(e.name().substring(prefix.length()), t);
            }
            return StateDict.of("random SD1.5 UNet", tensors);
        }
    }

    // ------------------------------------------------------------------------------------------------ (b) load

    private static void load(Path file, int runs, boolean mmapPath) throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: run the 'gen' mode first (in its own JVM, so that"
                    + " the generator's memory does not count in this one's peak)");
        }
        long size = Files.size(file);
        long baseRssKb = status("VmRSS:");
        // One warm-up read puts the file in the page cache; then the timed reads.
        List<Double> reads = new ArrayList<>();
        for (int i = 0; i <= runs; i++) {
            double s = sequentialRead(file);
            if (i > 0) {
                reads.add(s);
            }
        }
        double read = median(reads);
        System.out.printf(Locale.ROOT, "  sequential read of %.2f GB (1 MiB reads, page cache warm): %s s, median"
                + " %.3f s = %.2f GB/s%n", size / 1e9, format(reads), read, size / 1e9 / read);
        System.out.printf(Locale.ROOT, "  RSS before loading: %d MB%n", baseRssKb / 1024);

        long peakKb = 0;
        long firstPeakKb = 0;
        long hugeKb = 0;
        long weightBytes = 0;
        List<Double> loads = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            double before = sequentialRead(file); // "right before", page cache warm for both
            long t0 = System.nanoTime();
            long bytes;
            if (mmapPath) {
                StateDict all = readViaWholeFileMapping(file);
                bytes = all.nativeBytes();
                double s = (System.nanoTime() - t0) / 1e9;
                loads.add(s);
                peakKb = Math.max(peakKb, status("VmHWM:"));
                all.release();
            } else {
                CheckpointLoading.Parts parts = CheckpointLoading.load(file, ScalarType.Float);
                double s = (System.nanoTime() - t0) / 1e9;
                loads.add(s);
                peakKb = Math.max(peakKb, status("VmHWM:"));
                hugeKb = i == 0 ? anonHugePagesKb() : hugeKb; // while the weights are alive
                bytes = parts.model().nativeBytes() + parts.clip().nativeBytes() + parts.vae().nativeBytes();
                if (!parts.unexpectedKeys().isEmpty()) {
                    System.out.println("  left over keys: " + parts.unexpectedKeys());
                }
                parts.model().release();
                parts.clip().release();
                parts.vae().release();
            }
            weightBytes = bytes;
            System.out.printf(Locale.ROOT, "  load #%d: %.3f s (read right before: %.3f s)%n", i + 1,
                    loads.get(loads.size() - 1), before);
            if (i == 0) {
                firstPeakKb = peakKb; // later loads can only add allocator slack: the first one is the load's peak
                System.out.printf(Locale.ROOT, "  peak RSS (VmHWM) after the first load: %d MB (the loaded parts:"
                        + " %d MB in transparent huge pages)%n", peakKb / 1024, hugeKb / 1024);
            }
        }
        double load = median(loads);
        double weightsKb = weightBytes / 1024.0;
        if (!mmapPath) { // the file-reading part alone, for the breakdown
            List<Double> reading = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                sequentialRead(file);
                long t0 = System.nanoTime();
                StateDict all = StateDict.readSafetensors(file, ScalarType.Float);
                reading.add((System.nanoTime() - t0) / 1e9);
                all.release();
            }
            System.out.printf(Locale.ROOT, "  of which StateDict.readSafetensors (read + convert to float32): %s s,"
                    + " median %.3f s = %.2fx the sequential read; the rest (detection, model building, probes):"
                    + " %.3f s%n", format(reading), median(reading), median(reading) / read, load - median(reading));
            List<Double> fills = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                fills.add(freshMemoryFill(weightBytes));
            }
            System.out.printf(Locale.ROOT, "  floor: allocating and writing %.2f GB of new float32 memory once (no file,"
                    + " %d threads): %s s, median %.3f s = %.2fx the sequential read%n", weightBytes / 1e9,
                    fillThreads(), format(fills), median(fills), median(fills) / read);
        }
        System.out.printf(Locale.ROOT, "B-load (%s): %.2f GB fp16 file -> %.2f GB float32 weights on CPU:"
                + " median load %.3f s = %.2fx the sequential read (%.3f s; target <= 1.5x);"
                + " peak RSS %d MB = %.3fx the float32 weights (target <= 1.15x; %.3fx counting only the growth"
                + " over the %d MB before loading; max over all loads %d MB)%n",
                mmapPath ? "previous path: copy out of a whole-file mmap" : "CheckpointLoading.load",
                size / 1e9, weightBytes / 1e9, load, load / read, read, firstPeakKb / 1024, firstPeakKb / weightsKb,
                (firstPeakKb - baseRssKb) / weightsKb, baseRssKb / 1024, peakKb / 1024);
    }

    /** Seconds to read {@code file} front to back in 1 MiB reads into one buffer (what {@code cat} does). */
    static double sequentialRead(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        long t0 = System.nanoTime();
        long total = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            int n;
            while ((n = channel.read(buffer.clear())) >= 0) {
                total += n;
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (total != Files.size(file)) {
            throw new IOException("read " + total + " bytes of " + file);
        }
        return s;
    }

    /**
     * Seconds to allocate {@code bytes} of new float32 memory and write every element once, split over {@link
     * #fillThreads()} threads: what any load that ends in float32 weights in fresh memory pays at least (page faults,
     * the kernel zeroing the pages, one write pass), with no file involved.
     */
    static double freshMemoryFill(long bytes) throws InterruptedException {
        int threads = fillThreads();
        Tensor[] parts = new Tensor[threads];
        Thread[] workers = new Thread[threads];
        long t0 = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            int k = i;
            workers[i] = new Thread(() -> {
                try (PointerScope scope = new PointerScope()) {
                    Tensor part = torch.empty(bytes / Float.BYTES / threads);
                    part.fill_(new Scalar(1.0));
                    part.retainReference();
                    parts[k] = part;
                }
            });
            workers[i].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        for (Tensor part : parts) {
            part.releaseReference();
        }
        return s;
    }

    private static int fillThreads() {
        return Math.min(2, Runtime.getRuntime().availableProcessors());
    }

    /** The process's anonymous memory in transparent huge pages, in KiB (0 where the kernel does not say). */
    private static long anonHugePagesKb() throws IOException {
        Path rollup = Path.of("/proc/self/smaps_rollup");
        if (!Files.isReadable(rollup)) {
            return 0;
        }
        for (String line : Files.readAllLines(rollup)) {
            if (line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /** The loading path before this benchmark: map the whole file, copy each tensor out, convert to float32. */
    private static StateDict readViaWholeFileMapping(Path file) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
            for (String name : f.names()) {
                Tensor t = f.load(name);
                out.put(name, f.info(name).scalarType().intern() == ScalarType.Float ? t : t.to(ScalarType.Float));
            }
            return StateDict.of(file.getFileName().toString(), out);
        }
    }

    static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no " + field + " in /proc/self/status");
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String format(List<Double> values) {
        return Arrays.toString(values.stream().map(d -> String.format(Locale.ROOT, "%.3f", d)).toArray());
    }
}
