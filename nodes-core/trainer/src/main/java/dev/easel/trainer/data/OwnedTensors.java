package dev.easel.trainer.data;

import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/** Runs libtorch code in a private scope, so its temporaries are freed at once, and keeps only its result. */
final class OwnedTensors {

    private OwnedTensors() {
    }

    /**
     * The result of {@code body} with one reference that the caller owns and must give up with
     * {@code releaseReference()}; every other wrapper {@code body} made is freed before this returns.
     */
    static Tensor owned(Supplier<Tensor> body) {
        try (PointerScope scope = new PointerScope()) {
            Tensor result = body.get();
            result.retainReference(); // survives the scope's release
            return result;
        }
    }

    /**
     * The result of {@code body} as a fresh wrapper in the caller's context, like any libtorch result: attached to
     * the caller's innermost {@link PointerScope} when there is one. Temporaries of {@code body} are freed at once.
     */
    static Tensor toCaller(Supplier<Tensor> body) {
        Tensor inner = owned(body);
        try {
            return new Tensor(inner); // shares the TensorImpl; no data is copied
        } finally {
            inner.releaseReference();
        }
    }
}
