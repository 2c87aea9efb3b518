package dev.easel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class TorchRuntimeTest {

    @Test
    void cpuRuntimeReportsCpuFigures() {
        TorchRuntime runtime =
                new TorchRuntime(ComputeDevice.CPU, DtypePolicy.fromSystemProperties(), new MemoryStats());
        assertEquals("cpu", runtime.device());
        assertFalse(runtime.hasAccelerator());
        assertEquals(ScalarType.Float, runtime.computeDtype());
        assertEquals(-1, runtime.deviceFreeBytes());
        assertTrue(runtime.hostResidentBytes() > 0);
        assertTrue(runtime.hostTotalBytes() > runtime.hostResidentBytes());
    }

    @Test
    void startsFromSystemProperties() {
        TorchRuntime runtime = TorchRuntime.fromSystemProperties();
        assertTrue(Torch.isLoaded());
        assertEquals(runtime.computeDevice().toString(), runtime.device());
        assertEquals(runtime.hasAccelerator(), runtime.deviceFreeBytes() >= 0);
    }
}
