package dev.easel.nodes.core.clip;

import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/** Runs tensor work in a private {@link PointerScope} and hands only the results to the caller's scope. */
public final class Scopes {

    private Scopes() {
    }

    /**
     * Computes {@code body} in a private scope (its temporaries are freed on return) and returns its tensors as new
     * handles attached to the caller's innermost scope, if any (shared storage, no copy).
     */
    public static Tensor[] returnToCaller(Supplier<Tensor[]> body) {
        Tensor[] inner;
        try (PointerScope scope = new PointerScope()) {
            inner = body.get();
            for (Tensor t : inner) {
                t.retainReference(); // survive the private scope
            }
        }
        Tensor[] out = new Tensor[inner.length];
        try {
            for (int i = 0; i < inner.length; i++) {
                out[i] = new Tensor(inner[i]); // C++ copy of the handle: shares the TensorImpl
            }
        } finally {
            for (Tensor t : inner) {
                t.releaseReference();
            }
        }
        return out;
    }

    public static Tensor returnToCaller1(Supplier<Tensor> body) {
        return returnToCaller(() -> new Tensor[] {body.get()})[0];
    }
}
