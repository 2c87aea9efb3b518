package dev.easel.nodes.core.controlnet;

import static dev.easel.nodes.core.controlnet.ControlNetFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.models.FolderModelLibrary;
import dev.easel.engine.models.ModelFolders;
import dev.easel.node.NodeOutput;
import dev.easel.nodes.core.lora.UNetDiffusersNames;
import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.sampling.guidance.CfgGuider;
import dev.easel.nodes.core.sd.CheckpointLoading;
import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.unet.UNetConfig;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ControlNet nodes run as the engine runs them: the loader from {@code models/controlnet},
 * ControlNetApplyAdvanced (with its start/end range), chaining, the old ControlNetApply, a diffusers-layout file, and
 * the errors for ControlNets and hints that do not fit.
 */
class ControlNetNodesTest {

    private static final String CFG1 = "cn_b1_8x8_cfg1";
    private static final String CFG4 = "cn_b1_8x12_cfg4_hint50x90";

    private static CheckpointLoading.Parts parts;

    @TempDir
    Path dir;
    private FolderModelLibrary models;

    @BeforeAll
    static void load() throws IOException {
        Torch.load();
        parts = CheckpointLoading.load(ControlNetFixtures.checkpoint(), ScalarType.Float);
    }

    @AfterAll
    static void release() {
        if (parts != null) {
            parts.model().release();
            parts.clip().release();
            parts.vae().release();
        }
    }

    @BeforeEach
    void modelFolder() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("models/controlnet"));
        Files.createSymbolicLink(folder.resolve("tiny_cn.safetensors"), ControlNetFixtures.controlNet());
        models = new FolderModelLibrary(new ModelFolders(dir));
    }

    /** The case's inputs and references, in the test's scope. */
    private record Case(JsonNode info, Map<String, Tensor> t, TensorRef image, Conditioning positive,
            Conditioning negative) {
        double sigma() {
            return t.get("in/sigma").item().toDouble();
        }

        double cfg() {
            return info.get("cfg").asDouble();
        }
    }

    private static Case caseOf(NodeRunner runner, String name) throws IOException {
        JsonNode c = ControlNetFixtures.caseNamed(name);
        Map<String, Tensor> t = ControlNetFixtures.tensors(c);
        TensorRef image = runner.own(TensorRef.of(t.get("in/hint_image").clone()));
        Conditioning positive = runner.own(ControlNetFixtureTest.withControl(t.get("out/cond_positive"), null));
        Conditioning negative = runner.own(ControlNetFixtureTest.withControl(t.get("out/cond_negative"), null));
        return new Case(c.get("info"), t, image, positive, negative);
    }

    private ControlNetModel loadNode(NodeRunner runner, String name) throws Exception {
        return (ControlNetModel) runner.runForValue(new ControlNetLoader(models), Map.of("control_net_name", name));
    }

    private static NodeOutput applyAdvanced(NodeRunner runner, Conditioning positive, Conditioning negative,
            ControlNetModel net, TensorRef image, double strength, double start, double end) throws Exception {
        return runner.run(ControlNetApply.advanced(), Map.of("positive", positive, "negative", negative,
                "control_net", net, "image", image, "strength", strength, "start_percent", start,
                "end_percent", end));
    }

    private static Tensor denoise(Case c, Conditioning positive, Conditioning negative) {
        CfgGuider guider = new CfgGuider(parts.model(), positive, negative, c.cfg());
        try {
            return guider.denoiser(false).denoise(c.t().get("in/x"), c.sigma());
        } finally {
            guider.release();
        }
    }

    @Test
    void theLoaderListsAndLoadsTheFolderAndApplyAdvancedMatchesTheReference() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            ControlNetLoader loader = new ControlNetLoader(models);
            assertEquals(List.of("tiny_cn.safetensors"), loader.schema().input("control_net_name").orElseThrow()
                    .comboOptions());
            ControlNetModel net = loadNode(runner, "tiny_cn.safetensors");
            assertEquals(3, net.hintChannels());
            Case c = caseOf(runner, CFG4);
            NodeOutput out = applyAdvanced(runner, c.positive(), c.negative(), net, c.image(), 0.7, 0.0, 1.0);
            Conditioning positive = (Conditioning) out.values().get(0);
            Conditioning negative = (Conditioning) out.values().get(1);
            assertSame(ControlPatches.of(positive.entries().get(0)), ControlPatches.of(negative.entries().get(0)),
                    "both outputs share one application, so the cfg batch runs the ControlNet once");
            assertNotEquals(c.positive().contentHash(), positive.contentHash());
            assertClose(c.t().get("out/denoised"), denoise(c, positive, negative), "node " + CFG4 + " denoised");

            NodeOutput none = applyAdvanced(runner, c.positive(), c.negative(), net, c.image(), 0.0, 0.0, 1.0);
            assertSame(c.positive(), none.values().get(0), "strength 0 passes the conditioning on");
        }
    }

    @Test
    void everyReferenceIsGivenBackWhenTheRunEnds() throws Exception {
        TensorRef image;
        ControlNetModel net;
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            net = loadNode(runner, "tiny_cn.safetensors");
            Case c = caseOf(runner, CFG4);
            image = c.image();
            NodeOutput first = applyAdvanced(runner, c.positive(), c.negative(), net, image, 0.3, 0.0, 1.0);
            NodeOutput second = applyAdvanced(runner, (Conditioning) first.values().get(0),
                    (Conditioning) first.values().get(1), net, image, 0.4, 0.0, 1.0);
            denoise(c, (Conditioning) second.values().get(0), (Conditioning) second.values().get(1)); // caches hints
        }
        assertTrue(image.isFreed(), "the applications and their hints released the image");
        assertThrows(IllegalStateException.class, net::retain, "the ControlNet was freed");
    }

    @Test
    void chainedControlNetsAddUpAndActOnlyInTheirRange() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            ControlNetModel net = loadNode(runner, "tiny_cn.safetensors");
            Case c = caseOf(runner, CFG1); // σ = 5, timestep 795
            // 0.3 + 0.4 of the same net and hint: the residuals of strength 0.7, the reference's
            NodeOutput first = applyAdvanced(runner, c.positive(), c.negative(), net, c.image(), 0.3, 0.0, 1.0);
            Conditioning p1 = (Conditioning) first.values().get(0);
            Conditioning n1 = (Conditioning) first.values().get(1);
            NodeOutput second = applyAdvanced(runner, p1, n1, net, c.image(), 0.4, 0.0, 1.0);
            Conditioning p2 = (Conditioning) second.values().get(0);
            assertSame(ControlPatches.of(p1.entries().get(0)), ControlPatches.of(p2.entries().get(0)).previous());
            assertClose(c.t().get("out/denoised"), denoise(c, p2, (Conditioning) second.values().get(1)),
                    "chained 0.3 + 0.4");

            // starting at 50 % (σ ≈ 1) or ending at 10 % (σ ≈ 8): σ = 5 is outside, the net contributes nothing
            NodeOutput late = applyAdvanced(runner, c.positive(), c.negative(), net, c.image(), 0.7, 0.5, 1.0);
            assertClose(c.t().get("out/denoised_nocontrol"), denoise(c, (Conditioning) late.values().get(0),
                    (Conditioning) late.values().get(1)), "start 50 %");
            NodeOutput early = applyAdvanced(runner, c.positive(), c.negative(), net, c.image(), 0.7, 0.0, 0.1);
            assertClose(c.t().get("out/denoised_nocontrol"), denoise(c, (Conditioning) early.values().get(0),
                    (Conditioning) early.values().get(1)), "end 10 %");

            // an inactive net in the chain leaves the active one's residuals alone
            NodeOutput mixed = applyAdvanced(runner, (Conditioning) late.values().get(0),
                    (Conditioning) late.values().get(1), net, c.image(), 0.7, 0.0, 1.0);
            assertClose(c.t().get("out/denoised"), denoise(c, (Conditioning) mixed.values().get(0),
                    (Conditioning) mixed.values().get(1)), "inactive + active");
        }
    }

    @Test
    void theOldApplyNodeAlsoControlsTheNegativeBranch() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            ControlNetModel net = loadNode(runner, "tiny_cn.safetensors");
            Case c = caseOf(runner, CFG4);
            ControlNetApply old = ControlNetApply.old();
            assertTrue(old.schema().deprecated());
            Conditioning positive = (Conditioning) runner.runForValue(old, Map.of("conditioning", c.positive(),
                    "control_net", net, "image", c.image(), "strength", 0.7));
            assertEquals(Boolean.TRUE, positive.entries().get(0).options().get(ControlPatches.APPLY_TO_UNCOND));
            assertClose(c.t().get("out/denoised"), denoise(c, positive, c.negative()), "ControlNetApply");
        }
    }

    @Test
    void aDiffusersLayoutFileGivesTheSameResiduals() throws Exception {
        Path diffusers = Files.createDirectories(Path.of("target/controlnet-test"))
                .resolve("tiny_cn_diffusers.safetensors");
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            StateDict all = StateDict.readSafetensors(ControlNetFixtures.controlNet(), ScalarType.Float);
            try {
                StateDict original = all.withPrefix("control_model.");
                try {
                    SafetensorsWriter.write(diffusers, toDiffusers(original), Map.of());
                } finally {
                    original.release();
                }
            } finally {
                all.release();
            }
            Files.createSymbolicLink(dir.resolve("models/controlnet/diffusers.safetensors"),
                    diffusers.toAbsolutePath());
            try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir))) {
                ControlNetModel fromOriginal = loadNode(runner, "tiny_cn.safetensors");
                ControlNetModel fromDiffusers = loadNode(runner, "diffusers.safetensors");
                assertEquals(fromOriginal.config(), fromDiffusers.config());
                assertEquals(fromOriginal.weights().keys(), fromDiffusers.weights().keys());
                Case c = caseOf(runner, CFG1);
                Tensor x = c.t().get("out/pass0/x");
                Tensor hint = HintImage.resize(c.image().tensor(), x.size(2), x.size(3));
                Tensor t = c.t().get("out/t");
                Tensor context = c.t().get("out/pass0/context");
                UNetConfig config = parts.model().unet().config();
                ControlNetModel.Residuals a = fromOriginal.forward(config, x, hint, t, context, null, 0.7);
                ControlNetModel.Residuals b = fromDiffusers.forward(config, x, hint, t, context, null, 0.7);
                for (int i = 0; i < a.outputs().size(); i++) {
                    assertTrue(a.outputs().get(i).equal(b.outputs().get(i)), "residual " + i);
                }
                assertTrue(a.middle().equal(b.middle()), "middle residual");
            }
        }
    }

    /** The original names renamed to diffusers ones: the inverse of what the loader does. */
    private static Map<String, Tensor> toDiffusers(StateDict original) {
        Map<String, String> modules = new HashMap<>();
        UNetDiffusersNames.of(UNetConfig.fromStateDict(original)).forEach((d, ldm) -> modules.put(ldm, d));
        modules.put("middle_block_out.0", "controlnet_mid_block");
        for (int i = 0; i < 12; i++) {
            modules.put("zero_convs." + i + ".0", "controlnet_down_blocks." + i);
        }
        modules.put("input_hint_block.0", "controlnet_cond_embedding.conv_in");
        for (int k = 1; k < 7; k++) {
            modules.put("input_hint_block." + 2 * k, "controlnet_cond_embedding.blocks." + (k - 1));
        }
        modules.put("input_hint_block.14", "controlnet_cond_embedding.conv_out");
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String key : original.keys()) {
            int dot = key.lastIndexOf('.');
            String module = modules.get(key.substring(0, dot));
            if (module == null) {
                throw new IllegalStateException("no diffusers name for " + key);
            }
            out.put(module + key.substring(dot), original.get(key));
        }
        return out;
    }

    @Test
    void controlNetsAndHintsThatDoNotFitAreRefusedWithTheReason() throws Exception {
        Path narrow = dir.resolve("models/controlnet/narrow_context.safetensors");
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            StateDict all = StateDict.readSafetensors(ControlNetFixtures.controlNet(), ScalarType.Float);
            try {
                Map<String, Tensor> changed = new LinkedHashMap<>();
                for (String key : all.keys()) { // cross-attention over a 32-wide context instead of 64
                    Tensor w = all.get(key);
                    boolean kv = key.endsWith("attn2.to_k.weight") || key.endsWith("attn2.to_v.weight");
                    changed.put(key, kv ? w.narrow(1, 0, 32).contiguous() : w);
                }
                SafetensorsWriter.write(narrow, changed, Map.of());
            } finally {
                all.release();
            }
        }
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            ControlNetModel net = loadNode(runner, "narrow_context.safetensors");
            Case c = caseOf(runner, CFG1);
            NodeOutput out = applyAdvanced(runner, c.positive(), c.negative(), net, c.image(), 0.7, 0.0, 1.0);
            IllegalArgumentException misfit = assertThrows(IllegalArgumentException.class, () -> denoise(c,
                    (Conditioning) out.values().get(0), (Conditioning) out.values().get(1)));
            assertTrue(misfit.getMessage().contains("narrow_context.safetensors")
                    && misfit.getMessage().contains("context width 32")
                    && misfit.getMessage().contains("attn2.to_k.weight [32, 32]")
                    && misfit.getMessage().contains("the model's 64"), misfit.getMessage());

            ControlNetModel good = loadNode(runner, "tiny_cn.safetensors");
            TensorRef rgba = runner.own(TensorRef.of(org.bytedeco.pytorch.global.torch.zeros(1, 64, 64, 4)));
            IllegalArgumentException badHint = assertThrows(IllegalArgumentException.class,
                    () -> applyAdvanced(runner, c.positive(), c.negative(), good, rgba, 0.7, 0.0, 1.0));
            assertTrue(badHint.getMessage().startsWith("ControlNetApplyAdvanced: input 'image'")
                    && badHint.getMessage().contains("[1, 64, 64, 4]"), badHint.getMessage());

            Path notCn = dir.resolve("models/controlnet/checkpoint.safetensors");
            Files.createSymbolicLink(notCn, ControlNetFixtures.checkpoint());
            IllegalArgumentException wrongKind = assertThrows(IllegalArgumentException.class,
                    () -> loadNode(runner, "checkpoint.safetensors"));
            assertTrue(wrongKind.getMessage().contains("checkpoint.safetensors")
                    && wrongKind.getMessage().contains("not a ControlNet"), wrongKind.getMessage());
        }
    }
}
