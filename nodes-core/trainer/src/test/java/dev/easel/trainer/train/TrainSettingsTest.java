package dev.easel.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrainSettingsTest {

    @Test
    void theRateIsConstantThenFollowsAHalfCosineDownToItsFloor() {
        TrainSettings constant = TrainSettings.of(1, 3e-4);
        assertEquals(3e-4, constant.lrAt(0));
        assertEquals(3e-4, constant.lrAt(1_000_000));

        TrainSettings decaying = constant.withDecay(100, 300);
        assertEquals(3e-4, decaying.lrAt(99));
        assertEquals(3e-4, decaying.lrAt(100), 1e-15);
        double floor = 3e-4 * TrainSettings.FINAL_LR_FRACTION;
        assertEquals((3e-4 + floor) / 2, decaying.lrAt(200), 1e-15, "halfway is the midpoint");
        assertEquals(floor, decaying.lrAt(300), 1e-15);
        assertEquals(floor, decaying.lrAt(5000), 1e-15, "and stays there");
        for (long step = 100; step < 300; step++) {
            assertTrue(decaying.lrAt(step + 1) <= decaying.lrAt(step), "never rises: step " + step);
        }
        assertThrows(IllegalArgumentException.class, () -> constant.withDecay(300, 300));
    }
}
