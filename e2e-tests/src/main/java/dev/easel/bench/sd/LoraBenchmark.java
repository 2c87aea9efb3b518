package dev.easel.bench.sd;

import dev.easel.nodes.core.lora.LoraFile;
import dev.easel.nodes.core.lora.LoraKeyMap;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.WeightPatcher;
import dev.easel.nodes.core.sd.CheckpointLoading;
import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Issue 10's LoRA benchmark on an SD1.5-size model (the random-weight checkpoint {@code SdBenchmarks gen} writes): a
 * kohya-style LoRA of rank {@code --rank} on every transformer projection and feed-forward layer of the UNet (the
 * usual "attention + MLP" LoRA), written next to the checkpoint; then the time to apply it (the first sampling's
 * patch) and to remove it (the next use without it) as fractions of loading the model, and the extra resident memory
 * while it is applied.
 *
 * <p>Usage: {@code LoraBenchmark [--file CHECKPOINT] [--rank R] [--runs N]}.
 */
public final class LoraBenchmark {

    private LoraBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of("e2e-tests/target/sd15-random/sd15_random_s1_f16.safetensors");
        int rank = 32;
        int runs = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--file" -> file = Path.of(args[++i]);
                case "--rank" -> rank = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Torch.load();
        long loadStart = System.nanoTime();
        CheckpointLoading.Parts parts = CheckpointLoading.load(file, ScalarType.Float);
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        DiffusionModel model = parts.model();
        StateDict unet = model.unet().weights();
        Path loraFile = file.resolveSibling("lora_rank" + rank + ".safetensors");
        writeRandomLora(unet, rank, loraFile);
        LoraKeyMap keys = LoraKeyMap.sd1(model.unet().config(), unet.keys(), 0);
        long readStart = System.nanoTime();
        LoraFile lora = LoraFile.read(loraFile, keys);
        double readSeconds = (System.nanoTime() - readStart) / 1e9;
        DiffusionModel patched = model.withLora(lora, 0.8);
        lora.release();

        List<Double> apply = new ArrayList<>();
        List<Double> remove = new ArrayList<>();
        long extraKb = 0;
        long originalBytes = 0;
        for (int run = 0; run < runs; run++) {
            long before = SdBenchmarks.status("VmRSS:");
            long t0 = System.nanoTime();
            try (WeightPatcher.Use use = patched.usePatches()) {
                apply.add((System.nanoTime() - t0) / 1e9);
                if (run == 0) { // later runs reuse the memory the allocator kept from the first
                    extraKb = SdBenchmarks.status("VmRSS:") - before;
                    originalBytes = unet.patcher().originalBytes();
                }
            }
            long t1 = System.nanoTime();
            try (WeightPatcher.Use use = model.usePatches()) {
                remove.add((System.nanoTime() - t1) / 1e9);
            }
        }
        double weightMb = unet.nativeBytes() / 1e6;
        System.out.printf(Locale.ROOT, "SD1.5-size checkpoint %s: load %.2f s (UNet float32 %.0f MB)%n",
                file.getFileName(), loadSeconds, weightMb);
        System.out.printf(Locale.ROOT, "LoRA rank %d: %d pairs, %.1f MB file, read %.3f s%n", rank,
                patched.patches().keys().size(), Files.size(loraFile) / 1e6, readSeconds);
        double a = SdBenchmarks.median(apply);
        double r = SdBenchmarks.median(remove);
        System.out.printf(Locale.ROOT, "apply: median %.3f s = %.3f of the load %s%n", a, a / loadSeconds, apply);
        System.out.printf(Locale.ROOT, "remove: median %.3f s = %.3f of the load %s%n", r, r / loadSeconds, remove);
        System.out.printf(Locale.ROOT, "extra resident memory while first applied: %.0f MB RSS (originals kept: %.0f MB ="
                + " %.3f of the UNet's weights)%n", extraKb / 1e3, originalBytes / 1e6, originalBytes / 1e6 / weightMb);
        patched.release();
        parts.model().release();
        parts.clip().release();
        parts.vae().release();
    }

    /** Random pairs (kohya names in the checkpoint's own module names) for every transformer projection and MLP. */
    private static void writeRandomLora(StateDict unet, int rank, Path out) throws Exception {
        try (PointerScope scope = new PointerScope()) {
            Generator g = torch.make_generator_cpu(7);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String key : unet.keys()) {
                boolean target = key.matches(".*transformer_blocks\\.\\d+\\.(attn[12]\\.(to_q|to_k|to_v|to_out\\.0)"
                        + "|ff\\.net\\.0\\.proj|ff\\.net\\.2)\\.weight") || key.matches(".*\\.proj_(in|out)\\.weight");
                if (!target) {
                    continue;
                }
                long[] shape = unet.get(key).shape();
                String module = "lora_unet_" + key.substring(0, key.length() - ".weight".length()).replace('.', '_');
                long[] down = shape.clone();
                down[0] = rank;
                long[] up = new long[shape.length];
                up[0] = shape[0];
                up[1] = rank;
                for (int i = 2; i < shape.length; i++) {
                    up[i] = 1;
                }
                TensorOptions half = new TensorOptions(ScalarType.Half);
                tensors.put(module + ".lora_down.weight", torch.randn(down, new GeneratorOptional(g), new TensorOptions()).mul_(
                        new org.bytedeco.pytorch.Scalar(0.02)).to(ScalarType.Half));
                tensors.put(module + ".lora_up.weight", torch.randn(up, new GeneratorOptional(g), new TensorOptions()).mul_(
                        new org.bytedeco.pytorch.Scalar(0.02)).to(ScalarType.Half));
                tensors.put(module + ".alpha", torch.full(new long[] {}, new org.bytedeco.pytorch.Scalar(rank / 2.0),
                        half));
            }
            SafetensorsWriter.write(out, tensors, Map.of("ss_network_module", "networks.lora"));
        }
    }
}
