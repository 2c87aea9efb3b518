package dev.easel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class DeviceSelectorTest {

    private final DeviceSelector noCuda = new DeviceSelector(() -> false, () -> 0);
    private final DeviceSelector twoGpus = new DeviceSelector(() -> true, () -> 2);

    @Test
    void cpuWithoutCudaOnThisMachine() {
        Torch.load();
        assumeFalse(torch.cuda_is_available(), "this machine has CUDA");
        assertEquals(ComputeDevice.CPU, new DeviceSelector().select(null));
    }

    @Test
    void automaticChoice() {
        assertEquals(ComputeDevice.CPU, noCuda.select(null));
        assertEquals(ComputeDevice.CPU, noCuda.select(" "));
        assertEquals(ComputeDevice.cuda(0), twoGpus.select(null));
        assertEquals("cuda:0", twoGpus.select(null).toString());
    }

    @Test
    void overrides() {
        assertEquals(ComputeDevice.CPU, twoGpus.select("cpu"));
        assertEquals(ComputeDevice.cuda(0), twoGpus.select("CUDA"));
        assertEquals(ComputeDevice.cuda(1), twoGpus.select("cuda:1"));
    }

    @Test
    void missingCudaDeviceIsAnError() {
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> noCuda.select("cuda"));
        assertTrue(none.getMessage().contains("no CUDA device"), none.getMessage());
        IllegalStateException tooHigh = assertThrows(IllegalStateException.class, () -> twoGpus.select("cuda:2"));
        assertTrue(tooHigh.getMessage().contains("only 2"), tooHigh.getMessage());
    }

    @Test
    void unknownSpellingIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> twoGpus.select("tpu"));
        assertThrows(IllegalArgumentException.class, () -> twoGpus.select("cuda:-1"));
        assertThrows(IllegalArgumentException.class, () -> twoGpus.select("cuda:x"));
    }
}
