package dev.easel.nodes.core.value;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.node.PersistableFactory;
import dev.easel.runtime.TensorRef;
import dev.easel.runtime.Torch;
import java.util.Map;
import java.util.ServiceLoader;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LatentPersistenceTest {

    @BeforeAll
    static void loadTorch() {
        Torch.load();
    }

    @Test
    void hashCombinesSamplesAndMask() {
        try (PointerScope scope = new PointerScope()) {
            Latent plain = Latent.of(TensorRef.of(torch.zeros(1, 4, 8, 8)));
            Latent same = Latent.of(TensorRef.of(torch.zeros(1, 4, 8, 8)));
            Latent masked = plain.withNoiseMask(TensorRef.of(torch.ones(1, 1, 64, 64)));
            Latent otherMask = plain.withNoiseMask(TensorRef.of(torch.zeros(1, 1, 64, 64)));
            assertEquals(plain.contentHash(), same.contentHash());
            assertNotEquals(plain.contentHash(), masked.contentHash());
            assertNotEquals(masked.contentHash(), otherMask.contentHash());
            assertNotEquals(plain.contentHash(), plain.samples().contentHash(), "a latent is not its bare tensor");
        }
    }

    @Test
    void partsAndFactoryRoundTrip() {
        PersistableFactory factory = ServiceLoader.load(PersistableFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.type().equals("easel.latent"))
                .findFirst().orElseThrow();
        TensorRef samples;
        TensorRef mask;
        Object restored;
        try (PointerScope scope = new PointerScope()) {
            Latent masked = Latent.of(TensorRef.of(torch.zeros(1, 4, 8, 8)), TensorRef.of(torch.ones(1, 1, 64, 64)));
            assertEquals("easel.latent", masked.persistentType());
            assertEquals(Map.of(), masked.fields());
            assertEquals(java.util.List.of("samples", "noise_mask"), java.util.List.copyOf(masked.parts().keySet()));
            samples = masked.samples();
            mask = masked.noiseMask().orElseThrow();
            restored = factory.restore(masked.parts(), masked.fields());
        } // the scope's references go; the restored latent keeps its own
        Latent latent = assertInstanceOf(Latent.class, restored);
        assertSame(samples, latent.samples());
        assertSame(mask, latent.noiseMask().orElseThrow());
        assertEquals(1, samples.referenceCount());
        latent.release();
        assertTrue(samples.isFreed());
        assertTrue(mask.isFreed());
    }

    @Test
    void factoryRestoresALatentWithoutMask() {
        PersistableFactory factory = new LatentFactory();
        try (PointerScope scope = new PointerScope()) {
            TensorRef samples = TensorRef.of(torch.zeros(1, 4, 2, 2));
            Latent latent = (Latent) factory.restore(Map.of("samples", samples), Map.of());
            assertTrue(latent.noiseMask().isEmpty());
            assertEquals(2, samples.referenceCount(), "the scope's and the latent's");
            latent.release();
        }
    }
}
