package dev.easel.nodes.core.unet;

import static dev.easel.nodes.core.unet.UnetFixtures.assertClose;
import static dev.easel.nodes.core.unet.UnetFixtures.loadUnet;
import static dev.easel.nodes.core.unet.UnetFixtures.readCase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.model.StateDict;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UNetModelTest {

    private static UNetModel sd15;

    @BeforeAll
    static void load() {
        sd15 = loadUnet("sd15_tiny_s1234_f16.safetensors", null);
    }

    @AfterAll
    static void release() {
        sd15.release();
    }

    @Test
    void tinyUnetBatch2At8x8() {
        checkUnetCase(sd15, "components/tiny_unet_b2_8x8.safetensors", "unet_eps", false);
    }

    @Test
    void tinyUnetOddLevelsAndLongContext() {
        // 16x24 latent: 2x3 at the deepest level; 154-token context (two 77-token chunks)
        checkUnetCase(sd15, "components/tiny_unet_b1_16x24_ctx154.safetensors", "unet_eps", false);
    }

    @Test
    void tinySd2UnetWithLinearProjections() {
        UNetModel sd2 = loadUnet("sd2/sd2_tiny_s2101_f16.safetensors", UNetConfig.Heads.width(16));
        try {
            assertTrue(sd2.config().useLinearProj());
            checkUnetCase(sd2, "sd2/sd2_unet_b2_8x8.safetensors", "unet_out", false);
            checkUnetCase(sd2, "sd2/sd2_unet_b1_16x12_ctx154.safetensors", "unet_out", false);
        } finally {
            sd2.release();
        }
    }

    @Test
    void tinySdxlUnetWithAdmVector() {
        UNetModel xl = loadUnet("sdxl/sdxl_tiny_s2301_f16.safetensors", UNetConfig.Heads.width(8));
        try {
            assertEquals(1544, xl.config().admInChannels());
            checkUnetCase(xl, "sdxl/sdxl_unet_b2_8x8.safetensors", "unet_eps", true);
            checkUnetCase(xl, "sdxl/sdxl_unet_b1_12x10_ctx154.safetensors", "unet_eps", true);
        } finally {
            xl.release();
        }
    }

    static void checkUnetCase(UNetModel model, String file, String outName, boolean withY) {
        StateDict c = readCase(file);
        try (PointerScope scope = new PointerScope(); InferenceMode guard = new InferenceMode()) {
            Tensor y = withY ? c.get("in/unet_y") : null;
            Tensor out = model.forward(c.get("in/unet_x"), c.get("in/unet_t"), c.get("in/unet_context"), y,
                    UNetPatches.NONE);
            assertClose(out, c.get("out/" + outName), file);
        } finally {
            c.release();
        }
    }

    @Test
    void cpuTimeOfOneTinyForward() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        StateDict c = readCase("components/tiny_unet_b2_8x8.safetensors");
        try (InferenceMode guard = new InferenceMode()) {
            long bestWall = Long.MAX_VALUE;
            long bestCpu = Long.MAX_VALUE;
            int runs = 10;
            for (int i = 0; i < runs + 2; i++) {
                try (PointerScope scope = new PointerScope()) {
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    sd15.forward(c.get("in/unet_x"), c.get("in/unet_t"), c.get("in/unet_context"));
                    long wall = System.nanoTime() - t0;
                    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                    if (i >= 2) {
                        bestWall = Math.min(bestWall, wall);
                        bestCpu = Math.min(bestCpu, cpu);
                    }
                }
            }
            System.out.printf("[unet] tiny SD1.5 UNet forward, batch 2, 8x8, 77 tokens: best wall %.2f ms, calling-thread "
                    + "CPU %.2f ms (ATen threads %d, best of %d)%n", bestWall / 1e6, bestCpu / 1e6,
                    torch.get_num_threads(), runs);
        } finally {
            c.release();
        }
    }

    @Test
    void forwardLeavesNoWrappersInTheCallersScope() {
        StateDict c = readCase("components/tiny_unet_b2_8x8.safetensors");
        try (InferenceMode guard = new InferenceMode()) {
            long before;
            long after;
            try (PointerScope scope = new PointerScope()) {
                sd15.forward(c.get("in/unet_x"), c.get("in/unet_t"), c.get("in/unet_context"));
                before = org.bytedeco.javacpp.Pointer.totalCount();
            }
            try (PointerScope scope = new PointerScope()) {
                for (int i = 0; i < 5; i++) {
                    sd15.forward(c.get("in/unet_x"), c.get("in/unet_t"), c.get("in/unet_context"));
                }
                after = org.bytedeco.javacpp.Pointer.totalCount();
            }
            // each forward leaves only its result in the caller's scope (a leak would be hundreds of wrappers per call)
            System.out.printf("[unet] native wrappers alive: %d with one result, %d with five%n", before, after);
            assertTrue(after - before <= 4 + 8, "wrappers left per forward: " + (after - before) / 4.0);
        } finally {
            c.release();
        }
    }

    @Test
    void ownsItsWeightsByReferenceCounting() throws Exception {
        StateDict all = StateDict.readSafetensors(UnetFixtures.root().resolve("sd15_tiny_s1234_f16.safetensors"),
                torch.ScalarType.Float);
        StateDict unet = all.withPrefix(UnetFixtures.UNET_PREFIX);
        all.release();
        UNetModel model = UNetModel.load(unet);
        unet.release(); // the model keeps the weights alive
        assertTrue(model.nativeBytes() > 0);
        model.retain();
        model.release();
        StateDict c = readCase("components/tiny_unet_b2_8x8.safetensors");
        try (PointerScope scope = new PointerScope()) {
            model.forward(c.get("in/unet_x"), c.get("in/unet_t"), c.get("in/unet_context"));
        }
        model.release();
        assertThrows(IllegalStateException.class,
                () -> model.forward(c.get("in/unet_x"), c.get("in/unet_t"), c.get("in/unet_context")));
        assertThrows(IllegalStateException.class, model::retain);
        c.release();
    }

    @Test
    void missingWeightsAreReportedAtLoad() {
        StateDict empty = StateDict.of("empty", Map.of());
        UNetConfig config = sd15.config();
        assertThrows(StateDict.MissingWeightException.class, () -> UNetModel.load(empty, config));
        empty.release();
    }
}
