package dev.easel.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TensorRefTest {

    @BeforeAll
    static void loadTorch() {
        Torch.load();
    }

    /** What the engine does around a node call: a scope, and a retain of the output before the scope closes. */
    private static TensorRef runNodeAndRetainOutput() {
        try (PointerScope scope = new PointerScope()) {
            TensorRef out = TensorRef.of(torch.ones(2, 3).mul(new org.bytedeco.pytorch.Scalar(2.0)));
            assertEquals(1, out.referenceCount(), "the scope's own reference");
            out.retain();
            return out;
        }
    }

    @Test
    void retainedOutputSurvivesItsScopeAndIsFreedByTheLastRelease() {
        TensorRef out = runNodeAndRetainOutput();
        assertFalse(out.isFreed());
        assertEquals(1, out.referenceCount());
        try (PointerScope scope = new PointerScope()) {
            assertEquals(12.0, out.tensor().sum().item().toDouble(), 0.0);
        }
        Tensor raw = out.tensor();
        out.release();
        assertTrue(out.isFreed());
        assertTrue(raw.isNull(), "native handle freed");
        assertEquals(0, raw.address());
        assertEquals(0, out.referenceCount());
    }

    @Test
    void unretainedOutputDiesWithItsScope() {
        TensorRef out;
        try (PointerScope scope = new PointerScope()) {
            out = TensorRef.of(torch.zeros(4));
        }
        assertTrue(out.isFreed());
        IllegalStateException e = assertThrows(IllegalStateException.class, out::tensor);
        assertTrue(e.getMessage().contains("already freed"), e.getMessage());
    }

    @Test
    void releaseAfterFreeIsAnError() {
        TensorRef out = runNodeAndRetainOutput();
        out.release();
        assertThrows(IllegalStateException.class, out::release);
        assertThrows(IllegalStateException.class, out::retain);
    }

    @Test
    void releaseWithoutRetainIsAnError() {
        TensorRef loose = TensorRef.of(torch.zeros(1)); // made outside any scope: no owner yet
        assertThrows(IllegalStateException.class, loose::release);
        loose.retain();
        loose.release();
        assertTrue(loose.isFreed());
    }

    @Test
    void everyOwnerCounts() {
        TensorRef out = runNodeAndRetainOutput();
        out.retain(); // a second consumer
        out.release();
        assertFalse(out.isFreed());
        out.release();
        assertTrue(out.isFreed());
    }

    @Test
    void retainAndReleaseFromManyThreadsKeepTheCountExact() throws Exception {
        TensorRef out = runNodeAndRetainOutput();
        int threads = 8;
        int rounds = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        out.retain();
                        out.release();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, out.referenceCount());
        assertFalse(out.isFreed());
        out.release();
        assertTrue(out.isFreed());
    }

    @Test
    void describesTheTensor() {
        TensorRef out;
        try (PointerScope scope = new PointerScope()) {
            out = TensorRef.of(torch.zeros(2, 3, 5));
            out.retain();
        }
        assertArrayEquals(new long[] {2, 3, 5}, out.shape());
        assertEquals(3, out.dim());
        assertEquals(ScalarType.Float, out.dtype());
        assertEquals("cpu", out.device());
        assertEquals(2 * 3 * 5 * 4, out.byteSize());
        assertEquals("TensorRef[[2, 3, 5], Float]", out.toString());
        out.release();
        assertEquals("TensorRef[freed]", out.toString());
    }

    @Test
    void refusesTensorsItCannotOwn() {
        Tensor freed;
        try (PointerScope scope = new PointerScope()) {
            freed = torch.zeros(1);
        }
        assertThrows(IllegalArgumentException.class, () -> TensorRef.of(freed));
        try (PointerScope scope = new PointerScope()) {
            assertThrows(IllegalArgumentException.class, () -> TensorRef.of(new Tensor()));
        }
    }
}
