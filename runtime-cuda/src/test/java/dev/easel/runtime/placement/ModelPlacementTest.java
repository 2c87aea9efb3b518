package dev.easel.runtime.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelPlacementTest {

    /** A model that records its moves. */
    static final class FakeModel implements Placeable {
        final String name;
        final long bytes;
        String device = "cpu";
        final List<String> moves = new ArrayList<>();

        FakeModel(String name, long bytes) {
            this.name = name;
            this.bytes = bytes;
        }

        public long weightBytes() {
            return bytes;
        }

        public String device() {
            return device;
        }

        public void moveTo(String target) {
            if (!target.equals(device)) {
                moves.add(target);
                device = target;
            }
        }
    }

    @Test
    void modelsMoveToTheDeviceAndTheLeastRecentlyUsedIdleOneMakesRoom() {
        ModelPlacement placement = new ModelPlacement("cuda:0", "cpu", 100);
        FakeModel unet = new FakeModel("unet", 60);
        FakeModel clip = new FakeModel("clip", 30);
        FakeModel vae = new FakeModel("vae", 30);
        try (var lease = placement.use(unet)) {
            assertEquals("cuda:0", unet.device);
        }
        placement.use(clip).close();
        assertEquals(90, placement.residentBytes(), "smart memory: they stay after use");
        placement.use(vae).close(); // 120 > 100: the least recently used idle model (unet) goes
        assertEquals("cpu", unet.device);
        assertEquals("cuda:0", clip.device);
        assertEquals("cuda:0", vae.device);
        assertTrue(placement.residentBytes() <= 100);
    }

    @Test
    void aModelInUseIsNeverOffloaded() {
        ModelPlacement placement = new ModelPlacement("cuda:0", "cpu", 100);
        FakeModel unet = new FakeModel("unet", 80);
        FakeModel vae = new FakeModel("vae", 40);
        try (var inUse = placement.use(unet); var alsoNeeded = placement.use(vae)) {
            assertEquals("cuda:0", unet.device, "over budget, but both are needed now");
            assertEquals("cuda:0", vae.device);
        }
        placement.offloadAll();
        assertEquals("cpu", unet.device);
        assertEquals("cpu", vae.device);
        assertEquals(0, placement.residentBytes());
    }

    @Test
    void onACpuOnlyMachineNothingMoves() {
        ModelPlacement placement = new ModelPlacement("cpu", "cpu", 0);
        FakeModel unet = new FakeModel("unet", 80);
        placement.use(unet).close();
        placement.offloadAll();
        assertTrue(unet.moves.isEmpty());
    }
}
