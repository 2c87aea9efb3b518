package dev.easel.caching;

import dev.easel.node.Persistable;
import dev.easel.node.RefCounted;
import dev.easel.runtime.TensorRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;

/**
 * {@link DeviceMover} for libtorch values: a {@link TensorRef} is on the accelerator when its device is not the CPU,
 * and moves with {@code tensor.cpu()} into a new {@code TensorRef}; a {@link Persistable} moves part by part and is
 * rebuilt by its factory. Other values are taken to live on the host.
 */
public final class TorchDeviceMover implements DeviceMover {

    private final PersistableFactories factories;

    public TorchDeviceMover(PersistableFactories factories) {
        this.factories = factories;
    }

    @Override
    public boolean onAccelerator(Object value) {
        if (value instanceof TensorRef tensor) {
            return !tensor.tensor().is_cpu();
        }
        if (value instanceof Persistable persistable) {
            return persistable.parts().values().stream().anyMatch(this::onAccelerator);
        }
        return false;
    }

    @Override
    public Object toHost(Object value) {
        if (value instanceof TensorRef tensor) {
            if (!onAccelerator(tensor)) {
                tensor.retain();
                return tensor;
            }
            try (PointerScope scope = new PointerScope()) {
                TensorRef copy = TensorRef.of(tensor.tensor().cpu());
                copy.retain(); // the caller's reference, which outlives this scope
                return copy;
            }
        }
        if (value instanceof Persistable persistable && onAccelerator(persistable)) {
            var factory = factories.forType(persistable.persistentType()).orElseThrow(() ->
                    new UnsupportedOperationException("no PersistableFactory for " + persistable.persistentType()));
            Map<String, Object> moved = new LinkedHashMap<>();
            List<RefCounted> owned = new ArrayList<>();
            try {
                for (var part : persistable.parts().entrySet()) {
                    Object host = toHost(part.getValue());
                    moved.put(part.getKey(), host);
                    if (host instanceof RefCounted rc) {
                        owned.add(rc);
                    }
                }
                return factory.restore(moved, persistable.fields());
            } finally {
                owned.forEach(RefCounted::release); // the restored value took its own references
            }
        }
        if (value instanceof RefCounted rc) {
            rc.retain();
        }
        return value;
    }
}
