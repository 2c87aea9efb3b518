package dev.easel.nodes.core.vae;

import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs a network as a chain of steps, each inside its own {@link PointerScope}, so that everything a step allocates
 * (normalised copies, activations, option wrappers) is freed when the step ends and only its output survives; the
 * previous output is freed as soon as the next one exists. This keeps the peak at about two activations plus one
 * block's temporaries, instead of every intermediate of the whole network (docs/java-stack.md §1.4).
 *
 * <p>Not thread-safe; use on the thread that opened the caller's scope.
 */
final class Chain implements AutoCloseable {

    /** The current activation: one reference held by this chain, attached to no scope. */
    private Tensor current;

    /** Starts at {@code input}, which stays the caller's (the chain takes its own reference). */
    Chain(Tensor input) {
        current = input.retainReference();
    }

    /** Replaces the current activation by {@code step(current)}, computed in a scope of its own. */
    Chain then(UnaryOperator<Tensor> step) {
        Tensor next;
        try (PointerScope scope = new PointerScope()) {
            next = step.apply(current).retainReference(); // survives the step's scope
        }
        current.releaseReference();
        current = next;
        return this;
    }

    /** The current activation without ending the chain (valid until the next {@link #then}). */
    Tensor current() {
        return current;
    }

    /**
     * Ends the chain and hands the result to the caller's innermost {@link PointerScope} (or, without one, to the
     * caller directly, who must then {@code close()} it).
     */
    Tensor result() {
        Tensor out = current;
        current = null;
        PointerScope scope = PointerScope.getInnerScope();
        if (scope != null) {
            scope.attach(out);
            out.releaseReference();
        }
        return out;
    }

    @Override
    public void close() {
        if (current != null) {
            current.releaseReference();
            current = null;
        }
    }
}
