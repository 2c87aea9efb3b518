package dev.easel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.easel.node.RefCounted;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

class ScopeHandOverTest {

    static final class Counted implements RefCounted {
        final AtomicInteger owners = new AtomicInteger(1);

        public void retain() {
            owners.incrementAndGet();
        }

        public void release() {
            owners.decrementAndGet();
        }
    }

    @Test
    void theScopeReleasesTheCreationReferenceWhenItCloses() {
        Counted value = new Counted();
        try (PointerScope scope = new PointerScope()) {
            ScopeHandOver.toScope(value);
            value.retain(); // what the engine does with a node's output
            assertEquals(2, value.owners.get());
        }
        assertEquals(1, value.owners.get(), "only the engine's reference is left");
        Counted dropped = new Counted();
        try (PointerScope scope = new PointerScope()) {
            ScopeHandOver.toScope(dropped);
        }
        assertEquals(0, dropped.owners.get(), "a value nobody retained is released with the scope");
    }
}
