package dev.easel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class MemoryStatsTest {

    private final MemoryStats stats = new MemoryStats();

    @Test
    void residentMemoryIsPositiveAndBelowTotal() {
        long rss = stats.hostResidentBytes();
        assertTrue(rss > 0, "rss " + rss);
        assertTrue(rss < stats.hostTotalBytes());
    }

    @Test
    void residentMemoryCountsNativeTensors() {
        Torch.load();
        long before = stats.hostResidentBytes();
        try (PointerScope scope = new PointerScope()) {
            Tensor big = torch.ones(64, 1024, 1024); // 256 MiB, touched by the fill
            assertEquals(64L * 1024 * 1024, big.numel());
            assertTrue(stats.hostResidentBytes() - before > 200L * 1024 * 1024, "RSS did not grow");
        }
    }

    @Test
    void cpuHasNoDeviceMemory() {
        assertEquals(-1, stats.deviceFreeBytes(ComputeDevice.CPU));
        assertEquals(-1, stats.deviceTotalBytes(ComputeDevice.CPU));
    }

    @Test
    void parsesProcFiles() {
        assertEquals(789, MemoryStats.parseStatmResidentPages("12345 789 100 1 0 500 0\n"));
        assertEquals(24_000_000, MemoryStats.parseMemTotalKib("MemTotal:       24000000 kB\nMemFree: 1 kB\n"));
    }
}
