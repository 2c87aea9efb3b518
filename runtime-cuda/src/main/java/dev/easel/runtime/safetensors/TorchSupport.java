package dev.easel.runtime.safetensors;

import dev.easel.runtime.Torch;
import java.nio.ByteOrder;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/** The libtorch plumbing shared by the reader and the writer. */
final class TorchSupport {

    private TorchSupport() {
    }

    /** Loads libtorch and checks that the host stores numbers the way safetensors does. */
    static void ready() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            // safetensors data is little-endian and is viewed in place; a big-endian host would need byte swaps.
            throw new UnsupportedOperationException("safetensors tensors need a little-endian host");
        }
        Torch.load();
    }

    /**
     * Runs {@code body} in a private {@link PointerScope}, so that every temporary wrapper it creates is freed, and
     * returns its result as a new wrapper created in the caller's context: attached to the caller's innermost
     * {@link PointerScope} when there is one, otherwise owned by nobody (freed by {@code close()} or the garbage
     * collector), exactly like the result of any libtorch call.
     */
    static Tensor returnToCaller(Supplier<Tensor> body) {
        Tensor inner;
        try (PointerScope scope = new PointerScope()) {
            inner = body.get();
            inner.retainReference(); // survive the private scope
        }
        try {
            return new Tensor(inner); // C++ copy: shares the TensorImpl, so no data is copied
        } finally {
            inner.releaseReference();
        }
    }
}
