package dev.easel.nodes.core.sampling.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.easel.nodes.core.sampling.SamplerFixtures;
import java.util.Iterator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class InitialNoiseTest {

    static long[] shape() {
        long[] shape = new long[4];
        Iterator<com.fasterxml.jackson.databind.JsonNode> it = json().get("prepare_noise_shape").elements();
        for (int i = 0; i < 4; i++) {
            shape[i] = it.next().asLong();
        }
        return shape;
    }

    private static com.fasterxml.jackson.databind.JsonNode json() {
        try (SamplerFixtures f = SamplerFixtures.open()) {
            return f.index();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static float[] floats(Tensor t) {
        Tensor c = t.to(torch.ScalarType.Float).contiguous();
        float[] out = new float[(int) c.numel()];
        c.data_ptr_float().get(out);
        return out;
    }

    @Test
    void matchesPrepareNoiseBitForBit() throws Exception {
        long[] shape = shape();
        try (PointerScope scope = new PointerScope(); SamplerFixtures f = SamplerFixtures.open()) {
            for (long seed : new long[] {0, 1, 42, 1234}) {
                float[] expected = floats(f.tensor("prepare_noise/seed" + seed));
                float[] actual = floats(InitialNoise.of(seed, shape));
                assertArrayEquals(expected, actual, 0f, "seed " + seed);
            }
        }
    }

    @Test
    void unsignedSeedsWork() {
        long[] shape = {1, 4, 8, 8};
        try (PointerScope scope = new PointerScope()) {
            float[] max = floats(InitialNoise.of(-1L, shape));
            assertArrayEquals(max, floats(InitialNoise.of(-1L, shape)), 0f);
            assertFalse(java.util.Arrays.equals(max, floats(InitialNoise.of(0L, shape))));
            assertEquals(256, max.length);
        }
    }

    @Test
    void resultOutlivesNoScope() {
        Tensor t;
        try (PointerScope scope = new PointerScope()) {
            t = InitialNoise.of(7, new long[] {2, 3});
            t.retainReference();
        }
        assertEquals(6, floats(t).length);
        t.releaseReference();
    }
}
