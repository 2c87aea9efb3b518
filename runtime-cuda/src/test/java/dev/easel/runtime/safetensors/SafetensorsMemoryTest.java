package dev.easel.runtime.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.runtime.Torch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lifetimes: of views versus their file, and of the JavaCPP wrappers the library creates. */
class SafetensorsMemoryTest {

    @TempDir
    Path folder;

    @BeforeAll
    static void loadTorch() {
        Torch.load();
    }

    private Path sampleFile(Tensor values) throws IOException {
        Path file = folder.resolve("sample.safetensors");
        SafetensorsWriter.write(file, Map.of("w", values, "b", torch.randn(3)));
        return file;
    }

    @Test
    void viewsOutliveTheFileTheyCameFrom() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            Tensor values = torch.randn(64, 64);
            Path file = sampleFile(values);
            SafetensorsFile read = SafetensorsFile.open(file);
            Tensor view = read.view("w");
            read.close();
            read = null;
            for (int i = 0; i < 3; i++) {
                System.gc(); // would free the file's mapping wrapper if anything still relied on it
                Thread.sleep(20);
            }
            assertTrue(values.equal(view), "the view holds the mapping itself");
            assertEquals(values.sum().item().toDouble(), view.sum().item().toDouble(), 1e-9);
        }
    }

    @Test
    void theCallersScopeOwnsTheResultButNotTheMapping() throws IOException {
        Tensor values = torch.randn(16);
        try (SafetensorsFile read = SafetensorsFile.open(sampleFile(values))) {
            Tensor inScope;
            Tensor retained;
            try (PointerScope scope = new PointerScope()) {
                inScope = read.view("w"); // first view: the mapping is made inside the caller's scope...
                retained = read.view("w");
                retained.retainReference();
                assertEquals(2, retained.referenceCount(), "the caller's scope and the caller's retain");
            }
            assertTrue(inScope.isNull(), "freed with the caller's scope, like any libtorch result");
            assertFalse(retained.isNull(), "a retained result survives its scope");
            // ...but is not owned by that scope: it still works after the scope closed.
            try (PointerScope scope = new PointerScope()) {
                assertTrue(values.equal(read.view("w")));
                assertTrue(values.equal(retained));
            }
            retained.releaseReference();
            assertTrue(retained.isNull());
        }
    }

    @Test
    void noWrappersAreLeftBehind() throws IOException {
        Path file = sampleFile(torch.randn(32, 8));
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            try (PointerScope warmup = new PointerScope()) {
                read.view("w"); // makes the mapping (one long-lived wrapper)
            }
            long before = Pointer.totalCount();
            for (int i = 0; i < 500; i++) {
                try (PointerScope scope = new PointerScope()) {
                    read.view("w");
                    read.load("b");
                    SafetensorsWriter.referenceOrder(Map.of("x", read.view("b")));
                }
            }
            assertEquals(before, Pointer.totalCount(), "every wrapper created along the way was freed");

            Path out = folder.resolve("out.safetensors");
            try (PointerScope scope = new PointerScope()) {
                Tensor transposed = read.view("w").t(); // non-contiguous: the writer makes a copy per write
                long beforeWrite = Pointer.totalCount();
                for (int i = 0; i < 50; i++) {
                    SafetensorsWriter.write(out, Map.of("w", transposed));
                }
                assertEquals(beforeWrite, Pointer.totalCount(), "the writer frees its copies and wrappers");
            }
        }
    }

    @Test
    void concurrentViewsShareOneMapping() throws Exception {
        Tensor values = torch.randn(128);
        try (SafetensorsFile read = SafetensorsFile.open(sampleFile(values))) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Long>> addresses = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    addresses.add(pool.submit(() -> {
                        try (PointerScope scope = new PointerScope()) {
                            Tensor view = read.view("w");
                            assertTrue(values.equal(view));
                            return view.data_ptr().address();
                        }
                    }));
                }
                long first = addresses.get(0).get();
                for (Future<Long> address : addresses) {
                    assertEquals(first, address.get(), "all threads see the same mapped bytes");
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}
