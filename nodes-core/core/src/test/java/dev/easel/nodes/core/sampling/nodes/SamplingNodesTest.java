package dev.easel.nodes.core.sampling.nodes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.engine.cache.OutputCache;
import dev.easel.engine.event.RunEvent;
import dev.easel.engine.exec.CancellationToken;
import dev.easel.engine.exec.Engine;
import dev.easel.engine.exec.EngineSettings;
import dev.easel.engine.exec.RunRequest;
import dev.easel.engine.exec.RunResult;
import dev.easel.engine.registry.NodeRegistry;
import dev.easel.engine.validation.ValidationOptions;
import dev.easel.engine.validation.ValidationResult;
import dev.easel.engine.workflow.WorkflowParser;
import dev.easel.node.Folders;
import dev.easel.node.NodeEnvironment;
import dev.easel.node.Preview;
import dev.easel.nodes.core.CoreNodePack;
import dev.easel.engine.models.FolderModelLibrary;
import dev.easel.engine.models.ModelFolders;
import dev.easel.nodes.core.sampling.SamplerFixtures;
import dev.easel.nodes.core.sd.CheckpointLoaderSimple;
import dev.easel.nodes.core.sd.ClipModel;
import dev.easel.nodes.core.sd.ClipTextEncode;
import dev.easel.nodes.core.sd.DiffusionModel;
import dev.easel.nodes.core.testing.FakeNodeContext;
import dev.easel.nodes.core.testing.NodeRunner;
import dev.easel.nodes.core.value.Conditioning;
import dev.easel.nodes.core.value.Latent;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sampling nodes on the tiny SD1.5-layout fixture checkpoint, alone and in the engine. */
class SamplingNodesTest {

    private static final String CKPT = "sd15_tiny_s1234_f16.safetensors";

    @TempDir
    Path dir;
    private FolderModelLibrary models;
    private Folders folders;

    @BeforeEach
    void modelsFolder() throws Exception {
        Path checkpoints = Files.createDirectories(dir.resolve("models/checkpoints"));
        Files.createSymbolicLink(checkpoints.resolve(CKPT), SamplerFixtures.dir().resolve(CKPT));
        models = new FolderModelLibrary(new ModelFolders(dir));
        folders = Folders.of(dir.resolve("output"), dir.resolve("input"), dir.resolve("temp"));
    }

    /** Model, positive, negative and an empty 64×64 latent, owned by {@code runner}. */
    private record Setup(DiffusionModel model, Conditioning positive, Conditioning negative, Latent latent) {
    }

    private Setup setup(NodeRunner runner) throws Exception {
        var loaded = runner.run(new CheckpointLoaderSimple(models), Map.of("ckpt_name", CKPT));
        ClipModel clip = (ClipModel) loaded.values().get(1);
        Conditioning positive = (Conditioning) runner.runForValue(new ClipTextEncode(),
                Map.of("text", "a red fox", "clip", clip));
        Conditioning negative = (Conditioning) runner.runForValue(new ClipTextEncode(),
                Map.of("text", "blurry", "clip", clip));
        Latent latent = (Latent) runner.runForValue(new dev.easel.nodes.core.latent.EmptyLatentImage(),
                Map.of("width", 64L, "height", 64L, "batch_size", 1L));
        return new Setup((DiffusionModel) loaded.values().get(0), positive, negative, latent);
    }

    private static Map<String, Object> kSamplerInputs(Setup s, String sampler, String scheduler, long steps,
            long seed) {
        Map<String, Object> in = new HashMap<>();
        in.put("model", s.model());
        in.put("seed", seed);
        in.put("steps", steps);
        in.put("cfg", 6.5);
        in.put("sampler_name", sampler);
        in.put("scheduler", scheduler);
        in.put("positive", s.positive());
        in.put("negative", s.negative());
        in.put("latent_image", s.latent());
        in.put("denoise", 1.0);
        return in;
    }

    private static double maxDiff(Latent a, Latent b) {
        return SamplerFixtures.maxAbsDiff(a.samples().tensor(), b.samples().tensor());
    }

    @Test
    void samplerCustomAdvancedWithItsPartsIsTheKSampler() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope()) {
            Setup s = setup(runner);
            Latent viaKSampler = (Latent) runner.runForValue(new KSampler(),
                    kSamplerInputs(s, "dpmpp_2m_sde", "karras", 6, 1234));
            Object noise = runner.runForValue(new RandomNoise(), Map.of("noise_seed", 1234L));
            Object guider = runner.runForValue(new CfgGuiderNode(), Map.of("model", s.model(),
                    "positive", s.positive(), "negative", s.negative(), "cfg", 6.5));
            Object sampler = runner.runForValue(new KSamplerSelect(), Map.of("sampler_name", "dpmpp_2m_sde"));
            Object sigmas = runner.runForValue(new BasicScheduler(), Map.of("model", s.model(),
                    "scheduler", "karras", "steps", 6L, "denoise", 1.0));
            var custom = runner.run(new SamplerCustomAdvanced(), Map.of("noise", noise, "guider", guider,
                    "sampler", sampler, "sigmas", sigmas, "latent_image", s.latent()));
            assertEquals(0.0, maxDiff(viaKSampler, (Latent) custom.values().get(0)));
            // denoised_output is the last step's prediction: at the final σ = 0 step it is the result itself
            assertTrue(maxDiff(viaKSampler, (Latent) custom.values().get(1)) < 1e-3);
        }
    }

    @Test
    void twoAdvancedHalvesWithLeftoverNoiseAreOneRun() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope()) {
            Setup s = setup(runner);
            Latent whole = (Latent) runner.runForValue(new KSampler(), kSamplerInputs(s, "euler", "normal", 8, 5));
            Map<String, Object> first = advanced(s, s.latent(), "enable", 0, 4, "enable");
            Latent half = (Latent) runner.runForValue(new KSamplerAdvanced(), first);
            Latent rest = (Latent) runner.runForValue(new KSamplerAdvanced(),
                    advanced(s, half, "disable", 4, 10000, "disable"));
            double diff = maxDiff(whole, rest);
            assertTrue(diff <= 1e-4 * Math.max(1, whole.samples().tensor().abs().max().item().toDouble()),
                    "two halves differ from one run by " + diff);
            // start at or after the last step: the latent passes through untouched
            Latent untouched = (Latent) runner.runForValue(new KSamplerAdvanced(),
                    advanced(s, half, "enable", 8, 10000, "disable"));
            assertSame(half, untouched);
        }
    }

    private static Map<String, Object> advanced(Setup s, Latent latent, String addNoise, long start, long end,
            String leftover) {
        Map<String, Object> in = kSamplerInputs(s, "euler", "normal", 8, 5);
        in.remove("seed");
        in.remove("denoise");
        in.put("noise_seed", 5L);
        in.put("latent_image", latent);
        in.put("add_noise", addNoise);
        in.put("start_at_step", start);
        in.put("end_at_step", end);
        in.put("return_with_leftover_noise", leftover);
        return in;
    }

    @Test
    void rescaleCfgAtZeroIsPlainGuidanceAndAboveZeroChangesIt() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope()) {
            Setup s = setup(runner);
            Latent plain = (Latent) runner.runForValue(new KSampler(), kSamplerInputs(s, "euler", "karras", 4, 3));
            DiffusionModel zero = (DiffusionModel) runner.runForValue(new RescaleCfg(),
                    Map.of("model", s.model(), "multiplier", 0.0));
            DiffusionModel strong = (DiffusionModel) runner.runForValue(new RescaleCfg(),
                    Map.of("model", s.model(), "multiplier", 0.7));
            assertNotEquals(s.model().contentHash(), strong.contentHash(), "options are part of the MODEL's identity");
            Map<String, Object> in = kSamplerInputs(s, "euler", "karras", 4, 3);
            in.put("model", zero);
            Latent rescaledZero = (Latent) runner.runForValue(new KSampler(), in);
            in.put("model", strong);
            Latent rescaled = (Latent) runner.runForValue(new KSampler(), in);
            double scale = Math.max(1, plain.samples().tensor().abs().max().item().toDouble());
            assertTrue(maxDiff(plain, rescaledZero) <= 1e-3 * scale);
            assertTrue(maxDiff(plain, rescaled) > 1e-2 * scale);
        }
    }

    @Test
    void noiseMaskKeepsTheUnmaskedRegionAndSurvivesSampling() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope()) {
            Setup s = setup(runner);
            Tensor source = torch.randn(1, 4, 8, 8);
            Latent latent = Latent.of(TensorRef.of(source));
            Tensor mask = torch.zeros(64, 64);
            mask.narrow(1, 32, 32).fill_(new org.bytedeco.pytorch.Scalar(1.0)); // right half may change
            Latent masked = (Latent) runner.runForValue(new SetLatentNoiseMask(),
                    Map.of("samples", latent, "mask", TensorRef.of(mask)));
            assertArrayEquals(new long[] {1, 1, 64, 64}, masked.noiseMask().orElseThrow().shape());
            Map<String, Object> in = kSamplerInputs(s, "dpmpp_2m", "karras", 5, 9);
            in.put("latent_image", masked);
            in.put("denoise", 0.7);
            Latent out = (Latent) runner.runForValue(new KSampler(), in);
            assertTrue(out.noiseMask().isPresent(), "the output latent keeps its mask, as the reference's does");
            Tensor result = out.samples().tensor();
            double keptDiff = result.narrow(3, 0, 4).sub(source.narrow(3, 0, 4)).abs().max().item().toDouble();
            double changed = result.narrow(3, 4, 4).sub(source.narrow(3, 4, 4)).abs().max().item().toDouble();
            assertTrue(keptDiff < 1e-5, "the kept half moved by " + keptDiff);
            assertTrue(changed > 1e-2, "the masked half was sampled");
        }
    }

    @Test
    void sigmaNodesSplitFlipAndTurbo() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope()) {
            Setup s = setup(runner);
            TensorRef sigmas = (TensorRef) runner.runForValue(new KarrasScheduler(), Map.of("steps", 4L,
                    "sigma_max", 14.614642, "sigma_min", 0.0291675, "rho", 7.0));
            double[] all = Sigmas.values(sigmas);
            assertEquals(5, all.length);
            var split = runner.run(new SplitSigmas(), Map.of("sigmas", sigmas, "step", 1L));
            assertArrayEquals(new double[] {all[0], all[1]}, Sigmas.values((TensorRef) split.values().get(0)));
            assertArrayEquals(new double[] {all[1], all[2], all[3], all[4]},
                    Sigmas.values((TensorRef) split.values().get(1)));
            var byDenoise = runner.run(new SplitSigmasDenoise(), Map.of("sigmas", sigmas, "denoise", 0.5));
            assertEquals(3, Sigmas.values((TensorRef) byDenoise.values().get(0)).length);
            assertEquals(3, Sigmas.values((TensorRef) byDenoise.values().get(1)).length);
            double[] flipped = Sigmas.values((TensorRef) runner.runForValue(new FlipSigmas(), Map.of("sigmas", sigmas)));
            assertEquals(0.0001, flipped[0], 1e-9);
            assertEquals(all[0], flipped[4], 1e-6);
            double[] turbo = Sigmas.values((TensorRef) runner.runForValue(new SdTurboScheduler(),
                    Map.of("model", s.model(), "steps", 2L, "denoise", 1.0)));
            assertEquals(3, turbo.length);
            assertEquals(s.model().schedule().sigma(999), turbo[0], 1e-5);
            assertEquals(s.model().schedule().sigma(899), turbo[1], 1e-5);
            assertEquals(0.0, turbo[2]);
        }
    }

    @Test
    void badMaskIsAClearError() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope()) {
            Latent latent = Latent.of(TensorRef.of(torch.zeros(1, 4, 8, 8)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> runner.runForValue(new SetLatentNoiseMask(),
                            Map.of("samples", latent, "mask", TensorRef.of(torch.zeros(5)))));
            assertTrue(e.getMessage().contains("mask"), e.getMessage());
        }
    }

    @Test
    void aLatentOfTheWrongShapeIsAClearError() throws Exception {
        try (NodeRunner runner = new NodeRunner(new FakeNodeContext(dir)); PointerScope scope = new PointerScope()) {
            Setup s = setup(runner);
            Map<String, Object> in = kSamplerInputs(s, "euler", "normal", 2, 1);
            in.put("latent_image", Latent.of(TensorRef.of(torch.zeros(1, 3, 8, 8))));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> runner.runForValue(new KSampler(), in));
            assertTrue(e.getMessage().contains("latent_image") && e.getMessage().contains("[1, 3, 8, 8]"),
                    e.getMessage());
        }
    }

    private static final String WORKFLOW = """
            {"4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "%s"}},
             "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}},
             "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
             "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
             "3": {"class_type": "KSampler", "inputs": {"seed": 18446744073709551615, "steps": 6, "cfg": 7.5,
                   "sampler_name": "%s", "scheduler": "karras", "denoise": 1.0, "model": ["4", 0],
                   "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
             "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
             "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "t"}}}""";

    private Engine engine() {
        NodeRegistry registry = new NodeRegistry();
        registry.register(new CoreNodePack(), new NodeEnvironment(folders, models));
        return new Engine(registry, OutputCache.NONE, TorchRuntime.fromSystemProperties(), folders,
                EngineSettings.defaults());
    }

    @Test
    void eachStepReportsProgressWithAPreviewAndAnUnsignedSeedWorks() throws Exception {
        try (Engine engine = engine()) {
            ValidationResult v = engine.validate(WorkflowParser.parse(WORKFLOW.formatted(CKPT, "euler_ancestral")),
                    ValidationOptions.STRICT);
            assertTrue(v.isValid(), () -> v.toJson().toString());
            List<RunEvent.Progress> progress = new CopyOnWriteArrayList<>();
            RunResult r = engine.run(new RunRequest("p", v.workflow(), Map.of()), e -> {
                if (e instanceof RunEvent.Progress p && p.nodeId().equals("3")) {
                    progress.add(p);
                }
            }, new CancellationToken());
            assertTrue(r.succeeded(), () -> String.valueOf(r.failure()));
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), progress.stream().map(RunEvent.Progress::value).toList());
            assertTrue(progress.get(0).preview() != null, "the first step has a preview (later ones: ten a second)");
            for (RunEvent.Progress p : progress) {
                assertEquals(6, p.max());
                if (p.preview() != null) {
                    assertEquals(Preview.Format.JPEG, p.preview().format());
                    assertTrue(p.preview().bytes().length > 100 && (p.preview().bytes()[0] & 0xff) == 0xff,
                            "a JPEG preview");
                }
            }
        }
    }

    @Test
    void samplingStopsAtTheNextStepWhenCancelled() throws Exception {
        try (Engine engine = engine()) {
            ValidationResult v = engine.validate(WorkflowParser.parse(WORKFLOW.formatted(CKPT, "heun")),
                    ValidationOptions.STRICT);
            CancellationToken token = new CancellationToken();
            List<Long> steps = new CopyOnWriteArrayList<>();
            RunResult r = engine.run(new RunRequest("c", v.workflow(), Map.of()), e -> {
                if (e instanceof RunEvent.Progress p && p.nodeId().equals("3")) {
                    steps.add(p.value());
                    if (p.value() == 2) {
                        token.cancel();
                    }
                }
            }, token);
            assertEquals(RunResult.Status.INTERRUPTED, r.status());
            assertEquals(List.of(1L, 2L), steps, "no step after the cancellation");
            assertFalse(Files.exists(folders.output().resolve("t_00001_.png")));
        }
    }

    @Test
    void unknownSamplerOrSchedulerIsAValidationError() throws Exception {
        try (Engine engine = engine()) {
            ValidationResult v = engine.validate(WorkflowParser.parse(WORKFLOW.formatted(CKPT, "euler_fast")),
                    ValidationOptions.STRICT);
            assertFalse(v.isValid());
            String json = v.toJson().toString();
            assertTrue(json.contains("value_not_in_list") && json.contains("sampler_name"), json);
        }
    }
}
