package dev.easel.nodes.core.value;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.runtime.TensorRef;
import dev.easel.runtime.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class LatentTest {

    @Test
    void countsOwnersOnItsTensors() {
        Torch.load();
        Latent plain;
        Latent masked;
        try (PointerScope scope = new PointerScope()) {
            plain = Latent.of(TensorRef.of(torch.zeros(1, 4, 8, 8)));
            masked = plain.withNoiseMask(TensorRef.of(torch.ones(1, 1, 64, 64)));
            plain.retain();
            masked.retain();
        }
        assertSame(plain.samples(), masked.samples(), "the samples are shared");
        assertEquals(2, plain.samples().referenceCount());
        assertEquals(1, masked.noiseMask().orElseThrow().referenceCount());

        plain.release();
        assertFalse(masked.samples().isFreed(), "still owned by the masked latent");
        masked.release();
        assertTrue(masked.samples().isFreed());
        assertTrue(masked.noiseMask().orElseThrow().isFreed());
    }
}
