package dev.easel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class TorchTest {

    @Test
    void loadsOnceAndComputes() {
        Torch.load();
        Torch.load();
        assertTrue(Torch.isLoaded());
        try (PointerScope scope = new PointerScope()) {
            Tensor sum = torch.ones(2, 3).sum();
            assertEquals(6.0, sum.item().toDouble(), 0.0);
        }
    }

    @Test
    void asksLibtorchForHugePagesUnlessToldNotTo() {
        Torch.load();
        boolean wanted = !"false".equalsIgnoreCase(System.getProperty(Torch.HUGE_PAGES_PROPERTY, "true").trim());
        if (wanted && System.getenv("THP_MEM_ALLOC_ENABLE") == null) {
            assertEquals("1", torch.get_env("THP_MEM_ALLOC_ENABLE").get().getString());
        }
    }

    @Test
    void appliesThreadSettings() {
        ThreadSettings wanted = new ThreadSettings(1, 1);
        wanted.apply();
        assertEquals(wanted, ThreadSettings.current());
        ThreadSettings.defaults().apply();
        assertEquals(ThreadSettings.defaults(), ThreadSettings.current());
    }
}
