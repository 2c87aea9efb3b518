package dev.easel.nodes.core.sd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.models.FolderModelLibrary;
import dev.easel.engine.models.ModelFolders;
import dev.easel.nodes.core.lora.LoraFile;
import dev.easel.nodes.core.lora.LoraFixtures;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.WeightPatcher;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRAs on the tiny SDXL and SD2.x checkpoints, from small random files written here in kohya and diffusers/PEFT
 * naming: each patched weight is {@code W + strength·alpha/rank·up@down} (Hu et al. 2021, arXiv:2106.09685) on the
 * right part (UNet, CLIP-L, bigG, OpenCLIP-H), a bigG/ViT-H q, k or v pair changes only its third of the fused
 * {@code in_proj_weight}, the conditioning changes with the LoRA and is bit for bit the unpatched one again once the
 * base CLIP is used, and files for another family are refused with their names and keys.
 */
class LoraSdxlSd2PatchingTest {

    private static CheckpointLoading.Parts xl;
    private static CheckpointLoading.Parts sd2;

    @TempDir
    static Path dir;

    /** Which weights a LoRA module patches here: the UNet's, or a text tower's (its index in the CLIP). */
    private enum Part { UNET, TOWER_0, TOWER_1 }

    /** One module of a LoRA file written by the test, with the weight it must patch (by its key in that part). */
    private record Module(String name, Part part, String key, int rank, Double alpha) {
    }

    @BeforeAll
    static void load() throws IOException {
        Torch.load();
        xl = CheckpointLoading.load(LoraFixtures.fixtures().resolve("sdxl/sdxl_tiny_s2301_f16.safetensors"),
                ScalarType.Float);
        sd2 = CheckpointLoading.load(LoraFixtures.fixtures().resolve("sd2/sd2_tiny_s2101_f16.safetensors"),
                ScalarType.Float);
    }

    @AfterAll
    static void release() {
        for (CheckpointLoading.Parts p : new CheckpointLoading.Parts[] {xl, sd2}) {
            if (p != null) {
                p.model().release();
                p.clip().release();
                p.vae().release();
            }
        }
    }

    private static StateDict weights(CheckpointLoading.Parts parts, Part part) {
        return switch (part) {
            case UNET -> parts.model().unet().weights();
            case TOWER_0 -> parts.clip().towers().get(0).model().weights();
            case TOWER_1 -> parts.clip().towers().get(1).model().weights();
        };
    }

    /**
     * Writes a LoRA file for {@code modules}, with random halves fitting each target weight ({@code peft}: lora_A /
     * lora_B and no alpha; otherwise kohya's lora_down / lora_up and a 0-dim alpha).
     */
    private static Path write(String name, CheckpointLoading.Parts parts, List<Module> modules, boolean peft)
            throws IOException {
        Path file = dir.resolve(name);
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(name.hashCode());
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Module m : modules) {
                long[] shape = weights(parts, m.part()).get(m.key()).shape();
                Tensor up = torch.randn(shape[0], m.rank()).mul(new Scalar(0.3));
                Tensor down = torch.randn(m.rank(), shape[1]).mul(new Scalar(0.3));
                tensors.put(m.name() + (peft ? ".lora_B.weight" : ".lora_up.weight"), up);
                tensors.put(m.name() + (peft ? ".lora_A.weight" : ".lora_down.weight"), down);
                if (m.alpha() != null) {
                    tensors.put(m.name() + ".alpha", torch.zeros(new long[0]).add(new Scalar(m.alpha())));
                }
            }
            SafetensorsWriter.write(file, tensors, Map.of());
        }
        return file;
    }

    /** {@code strength·alpha/rank·up@down} from the file's own tensors (alpha/rank is 1 without an alpha). */
    private static Tensor expectedDelta(LoraFile lora, Module m, double strength) {
        LoraFile.Pair pair = lora.pairs().stream().filter(p -> p.module().equals(m.name())).findFirst().orElseThrow();
        double scale = m.alpha() == null ? 1.0 : m.alpha() / m.rank();
        return pair.up().mm(pair.down()).mul(new Scalar(strength * scale));
    }

    private static double maxDiff(Tensor a, Tensor b) {
        return a.sub(b).abs().amax().item().toDouble();
    }

    /** The weights of {@code modules} as loaded (read while the base model and CLIP hold them). */
    private static Map<Module, Tensor> originals(CheckpointLoading.Parts parts, List<Module> modules) {
        Map<Module, Tensor> out = new HashMap<>();
        try (WeightPatcher.Use m = parts.model().usePatches(); WeightPatcher.Use c = parts.clip().usePatches()) {
            for (Module module : modules) {
                out.put(module, weights(parts, module.part()).get(module.key()).clone());
            }
        }
        return out;
    }

    /**
     * Patches {@code parts} with the file at the strengths and checks every module's weight, that the other thirds of
     * a fused projection stay as they were, and that the base model and CLIP get the originals back bit for bit.
     */
    private static void assertPatchesExactly(CheckpointLoading.Parts parts, Path file, List<Module> modules,
            double strengthModel, double strengthClip) throws IOException {
        Map<Module, Tensor> originals = originals(parts, modules);
        DiffusionModel model;
        ClipModel clip;
        LoraFile lora = LoraLoading.read(file, parts.model(), parts.clip());
        try {
            assertEquals(modules.stream().map(Module::name).collect(Collectors.toSet()),
                    lora.pairs().stream().map(LoraFile.Pair::module).collect(Collectors.toSet()));
            assertEquals(List.of(), lora.ignoredKeys());
            model = parts.model().withLora(lora, strengthModel);
            clip = parts.clip().withLora(lora, strengthClip);
            try (WeightPatcher.Use m = model.usePatches(); WeightPatcher.Use c = clip.usePatches()) {
                for (Module module : modules) {
                    double strength = module.part() == Part.UNET ? strengthModel : strengthClip;
                    Tensor patched = weights(parts, module.part()).get(module.key());
                    Tensor delta = expectedDelta(lora, module, strength);
                    double diff = maxDiff(patched, originals.get(module).add(delta));
                    assertTrue(diff <= 1e-6, module.name() + ": max |diff| " + diff);
                    assertFalse(patched.equal(originals.get(module)), module.name() + " changed");
                    assertOtherThirdsUntouched(parts, module); // see the fused-weight test for the other thirds
                }
            }
        } finally {
            lora.release();
        }
        try {
            try (WeightPatcher.Use m = parts.model().usePatches(); WeightPatcher.Use c = parts.clip().usePatches()) {
                for (Module module : modules) {
                    assertTrue(weights(parts, module.part()).get(module.key()).equal(originals.get(module)),
                            module.name() + ": the original is back bit for bit");
                }
                for (var tower : parts.clip().towers()) {
                    assertEquals(0, tower.model().weights().patcher().originalBytes());
                }
            }
        } finally {
            model.release();
            clip.release();
        }
    }

    /**
     * A q, k or v of an OpenCLIP tower is still a view of its layer's fused in_proj_weight while patched, so the patch
     * went into the fused tensor the checkpoint holds.
     */
    private static void assertOtherThirdsUntouched(CheckpointLoading.Parts parts, Module module) {
        if (module.part() != Part.UNET && module.key().matches(".*self_attn\\.[qkv]_proj\\.weight")
                && parts.clip().towers().get(module.part().ordinal() - 1).model().projectsPooled()) {
            int layer = Integer.parseInt(module.key().split("\\.")[2]);
            fused(weights(parts, module.part()), layer); // checks the views
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kohya", "peft"})
    void sdxlLorasPatchTheUnetClipLAndOneThirdOfBigGsFusedProjection(String format) throws IOException {
        boolean peft = format.equals("peft");
        List<Module> modules = peft ? List.of(
                new Module("unet.down_blocks.1.attentions.0.proj_in", Part.UNET, "input_blocks.4.1.proj_in.weight", 3,
                        null),
                new Module("unet.up_blocks.0.attentions.1.transformer_blocks.1.ff.net.2", Part.UNET,
                        "output_blocks.1.1.transformer_blocks.1.ff.net.2.weight", 2, null),
                new Module("text_encoder.text_model.encoder.layers.0.self_attn.k_proj", Part.TOWER_0,
                        "encoder.layers.0.self_attn.k_proj.weight", 2, null),
                new Module("text_encoder_2.text_model.encoder.layers.3.self_attn.q_proj", Part.TOWER_1,
                        "encoder.layers.3.self_attn.q_proj.weight", 4, null))
                : List.of(
                new Module("lora_unet_down_blocks_2_attentions_1_transformer_blocks_1_attn2_to_k", Part.UNET,
                        "input_blocks.8.1.transformer_blocks.1.attn2.to_k.weight", 4, 2.0),
                new Module("lora_unet_output_blocks_3_1_proj_out", Part.UNET, "output_blocks.3.1.proj_out.weight", 2,
                        1.0),
                new Module("lora_te1_text_model_encoder_layers_1_mlp_fc1", Part.TOWER_0,
                        "encoder.layers.1.mlp.fc1.weight", 2, 1.0),
                new Module("lora_te2_text_model_encoder_layers_2_self_attn_v_proj", Part.TOWER_1,
                        "encoder.layers.2.self_attn.v_proj.weight", 3, 1.5),
                new Module("lora_te2_text_model_encoder_layers_0_self_attn_out_proj", Part.TOWER_1,
                        "encoder.layers.0.self_attn.out_proj.weight", 2, 4.0));
        try (PointerScope scope = new PointerScope()) {
            Path file = write("sdxl_" + format + ".safetensors", xl, modules, peft);
            assertPatchesExactly(xl, file, modules, 0.8, -0.6);
        }
    }

    @Test
    void sd2LorasPatchTheUnetAndTheOpenClipHTower() throws IOException {
        List<Module> modules = List.of(
                new Module("lora_unet_down_blocks_0_attentions_0_proj_in", Part.UNET, "input_blocks.1.1.proj_in.weight",
                        2, 1.0),
                new Module("lora_te_text_model_encoder_layers_1_self_attn_q_proj", Part.TOWER_0,
                        "encoder.layers.1.self_attn.q_proj.weight", 2, 3.0),
                new Module("lora_te_text_model_encoder_layers_2_mlp_fc2", Part.TOWER_0,
                        "encoder.layers.2.mlp.fc2.weight", 3, 1.0));
        try (PointerScope scope = new PointerScope()) {
            assertPatchesExactly(sd2, write("sd2_kohya.safetensors", sd2, modules, false), modules, 1.0, 0.7);
        }
    }

    @Test
    void aBigGProjectionPatchChangesOnlyItsThirdOfTheFusedWeight() throws IOException {
        Module v = new Module("lora_te2_text_model_encoder_layers_1_self_attn_v_proj", Part.TOWER_1,
                "encoder.layers.1.self_attn.v_proj.weight", 2, 2.0);
        try (PointerScope scope = new PointerScope()) {
            Path file = write("sdxl_v_only.safetensors", xl, List.of(v), false);
            StateDict g = weights(xl, Part.TOWER_1);
            Tensor fusedBefore;
            try (WeightPatcher.Use base = xl.clip().usePatches()) {
                fusedBefore = fused(g, 1).clone();
            }
            ClipModel clip;
            try (LoraFile lora = LoraLoading.read(file, xl.model(), xl.clip())) {
                clip = xl.clip().withLora(lora, 1.0);
            }
            try {
                try (WeightPatcher.Use patched = clip.usePatches()) {
                    Tensor fused = fused(g, 1);
                    long width = fused.size(1);
                    assertTrue(fused.narrow(0, 0, 2 * width).equal(fusedBefore.narrow(0, 0, 2 * width)),
                            "the q and k rows of in_proj_weight are untouched");
                    assertFalse(fused.narrow(0, 2 * width, width).equal(fusedBefore.narrow(0, 2 * width, width)),
                            "the v rows changed");
                    assertEquals(List.of(Set.of(), Set.of("encoder.layers.1.self_attn.v_proj.weight")),
                            clip.patches().stream().map(p -> p.keys()).toList(), "only bigG holds a patch");
                }
                try (WeightPatcher.Use base = xl.clip().usePatches()) {
                    assertTrue(fused(g, 1).equal(fusedBefore), "the fused weight is back bit for bit");
                }
            } finally {
                clip.release();
            }
        }
    }

    /**
     * The fused [3·width, width] in_proj_weight of an OpenCLIP layer (a copy), after checking that q, k and v are
     * consecutive row blocks of one storage.
     */
    private static Tensor fused(StateDict tower, int layer) {
        Tensor q = tower.get("encoder.layers." + layer + ".self_attn.q_proj.weight");
        Tensor k = tower.get("encoder.layers." + layer + ".self_attn.k_proj.weight");
        Tensor v = tower.get("encoder.layers." + layer + ".self_attn.v_proj.weight");
        assertTrue(k.is_alias_of(q) && v.is_alias_of(q) && k.storage_offset() == q.storage_offset() + q.numel()
                && v.storage_offset() == q.storage_offset() + 2 * q.numel(), "q, k, v are views of in_proj_weight");
        return torch.cat(new TensorVector(q, k, v), 0);
    }

    @Test
    void conditioningChangesWithTheLoraAndIsBitExactAgainWithoutIt() throws Exception {
        List<Module> modules = List.of(
                new Module("lora_te1_text_model_encoder_layers_0_self_attn_q_proj", Part.TOWER_0,
                        "encoder.layers.0.self_attn.q_proj.weight", 2, 1.0),
                new Module("lora_te2_text_model_encoder_layers_1_self_attn_k_proj", Part.TOWER_1,
                        "encoder.layers.1.self_attn.k_proj.weight", 2, 1.0),
                new Module("lora_te2_text_model_encoder_layers_2_mlp_fc1", Part.TOWER_1,
                        "encoder.layers.2.mlp.fc1.weight", 2, 1.0));
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard();
                NodeRunner runner = new NodeRunner(new FakeNodeContext(dir))) {
            Path file = write("sdxl_text.safetensors", xl, modules, false);
            ClipModel patched;
            try (LoraFile lora = LoraLoading.read(file, xl.model(), xl.clip())) {
                patched = owned(runner, xl.clip().withLora(lora, 1.0));
            }
            Conditioning base = sdxlEncode(runner, xl.clip());
            Conditioning withLora = sdxlEncode(runner, patched);
            Conditioning baseAgain = sdxlEncode(runner, xl.clip());
            Tensor c0 = base.entries().get(0).cond().tensor();
            Tensor c1 = withLora.entries().get(0).cond().tensor();
            long lWidth = xl.clip().towers().get(0).model().config().width();
            assertFalse(c1.narrow(2, 0, lWidth).equal(c0.narrow(2, 0, lWidth)), "the CLIP-L half changed");
            assertFalse(c1.narrow(2, lWidth, c0.size(2) - lWidth).equal(c0.narrow(2, lWidth, c0.size(2) - lWidth)),
                    "the bigG half changed");
            assertFalse(withLora.entries().get(0).pooled().orElseThrow().tensor()
                    .equal(base.entries().get(0).pooled().orElseThrow().tensor()), "bigG's pooled output changed");
            assertTrue(baseAgain.entries().get(0).cond().tensor().equal(c0), "bit-exact without the LoRA");
            assertTrue(baseAgain.entries().get(0).pooled().orElseThrow().tensor()
                    .equal(base.entries().get(0).pooled().orElseThrow().tensor()));

            // CLIPTextEncode on the same CLIPs, and on SD2's single OpenCLIP-H tower
            Tensor e0 = textEncode(runner, xl.clip());
            assertFalse(textEncode(runner, patched).equal(e0));
            assertTrue(textEncode(runner, xl.clip()).equal(e0));

            Module h = new Module("lora_te_text_model_encoder_layers_0_self_attn_v_proj", Part.TOWER_0,
                    "encoder.layers.0.self_attn.v_proj.weight", 2, 1.0);
            ClipModel patchedH;
            try (LoraFile lora = LoraLoading.read(write("sd2_text.safetensors", sd2, List.of(h), false),
                    sd2.model(), sd2.clip())) {
                patchedH = owned(runner, sd2.clip().withLora(lora, 1.0));
            }
            Tensor h0 = textEncode(runner, sd2.clip());
            assertFalse(textEncode(runner, patchedH).equal(h0));
            assertTrue(textEncode(runner, sd2.clip()).equal(h0));
        }
    }

    /** Hands a new value's creation reference to the runner. */
    private static ClipModel owned(NodeRunner runner, ClipModel created) {
        runner.own(created);
        created.release();
        return created;
    }

    private static Conditioning sdxlEncode(NodeRunner runner, ClipModel clip) throws Exception {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("clip", clip);
        for (String name : List.of("width", "height", "target_width", "target_height")) {
            inputs.put(name, 1024L);
        }
        inputs.put("crop_w", 0L);
        inputs.put("crop_h", 0L);
        inputs.put("text_g", "a watercolor fox in the snow");
        inputs.put("text_l", "a fox");
        return runner.own((Conditioning) runner.runForValue(
                ClipTextEncodeSdxl.base(dev.easel.node.ModelLibrary.EMPTY), inputs));
    }

    private static Tensor textEncode(NodeRunner runner, ClipModel clip) throws Exception {
        Conditioning c = runner.own((Conditioning) runner.runForValue(new ClipTextEncode(),
                Map.of("text", "a (red:1.2) lighthouse at dusk", "clip", clip)));
        return c.entries().get(0).cond().tensor();
    }

    @Test
    void theLoraLoaderNodeAppliesBothStrengthsOnSdxl() throws Exception {
        Path root = Files.createDirectories(dir.resolve("node"));
        Path checkpoints = Files.createDirectories(root.resolve("models/checkpoints"));
        Files.createSymbolicLink(checkpoints.resolve("xl.safetensors"),
                LoraFixtures.fixtures().resolve("sdxl/sdxl_tiny_s2301_f16.safetensors"));
        Path loras = Files.createDirectories(root.resolve("models/loras"));
        List<Module> modules = List.of(
                new Module("lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_v", Part.UNET,
                        "input_blocks.4.1.transformer_blocks.0.attn1.to_v.weight", 2, 1.0),
                new Module("lora_te1_text_model_encoder_layers_2_mlp_fc2", Part.TOWER_0,
                        "encoder.layers.2.mlp.fc2.weight", 2, 1.0),
                new Module("lora_te2_text_model_encoder_layers_0_self_attn_q_proj", Part.TOWER_1,
                        "encoder.layers.0.self_attn.q_proj.weight", 2, 1.0));
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Files.move(write("node_style.safetensors", xl, modules, false), loras.resolve("style.safetensors"));
        }
        FolderModelLibrary models = new FolderModelLibrary(new ModelFolders(root));
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(root));
                PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            var loaded = runner.run(new CheckpointLoaderSimple(models), Map.of("ckpt_name", "xl.safetensors"));
            DiffusionModel model = runner.own((DiffusionModel) loaded.values().get(0));
            ClipModel clip = runner.own((ClipModel) loaded.values().get(1));
            runner.own((VaeModel) loaded.values().get(2));
            CheckpointLoading.Parts parts = new CheckpointLoading.Parts(model, clip, null);
            Map<Module, Tensor> originals = originals(parts, modules);
            Conditioning base = sdxlEncode(runner, clip);

            var patched = runner.run(LoraLoader.modelAndClip(models), Map.of("model", model, "clip", clip,
                    "lora_name", "style.safetensors", "strength_model", 0.7, "strength_clip", 0.4));
            DiffusionModel patchedModel = runner.own((DiffusionModel) patched.values().get(0));
            ClipModel patchedClip = runner.own((ClipModel) patched.values().get(1));
            Conditioning withLora = sdxlEncode(runner, patchedClip);
            assertFalse(withLora.entries().get(0).cond().tensor().equal(base.entries().get(0).cond().tensor()));

            try (LoraFile lora = LoraLoading.read(loras.resolve("style.safetensors"), model, clip);
                    WeightPatcher.Use m = patchedModel.usePatches(); WeightPatcher.Use c = patchedClip.usePatches()) {
                for (Module module : modules) {
                    double strength = module.part() == Part.UNET ? 0.7 : 0.4;
                    Tensor expected = originals.get(module).add(expectedDelta(lora, module, strength));
                    double diff = maxDiff(weights(parts, module.part()).get(module.key()), expected);
                    assertTrue(diff <= 1e-6, module.name() + " at strength " + strength + ": " + diff);
                }
            }
            assertTrue(sdxlEncode(runner, clip).entries().get(0).cond().tensor()
                    .equal(base.entries().get(0).cond().tensor()), "the base CLIP is unpatched again");
        }
    }

    @Test
    void loraFilesThatDoNotFitSdxlAreRefusedWithTheirNamesAndKeys() throws IOException {
        Path sd15 = LoraFixtures.file("lora_kohya_sd15_tiny_s1601.safetensors");
        IllegalArgumentException family = assertThrows(IllegalArgumentException.class,
                () -> LoraLoading.read(sd15, xl.model(), xl.clip()));
        IllegalArgumentException modelOnly = assertThrows(IllegalArgumentException.class,
                () -> LoraLoading.read(sd15, xl.model(), null));
        for (IllegalArgumentException e : List.of(family, modelOnly)) {
            assertTrue(e.getMessage().startsWith("lora_kohya_sd15_tiny_s1601.safetensors: LoRA module 'lora_")
                    && e.getMessage().contains("another model family"), e.getMessage());
        }

        String module = "lora_te2_text_model_encoder_layers_0_self_attn_q_proj";
        try (PointerScope scope = new PointerScope()) {
            Path wrong = dir.resolve("wrong_width.safetensors");
            SafetensorsWriter.write(wrong, Map.of(module + ".lora_up.weight", torch.zeros(8, 2),
                    module + ".lora_down.weight", torch.zeros(2, 16)), Map.of());
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> LoraLoading.read(wrong, xl.model(), xl.clip()));
            String m = shape.getMessage();
            assertTrue(m.contains("wrong_width.safetensors") && m.contains(module)
                    && m.contains("conditioner.embedders.1.model.encoder.layers.0.self_attn.q_proj.weight [8, 8]")
                    && m.contains("down [2, 16]"), m);
        }
    }
}
