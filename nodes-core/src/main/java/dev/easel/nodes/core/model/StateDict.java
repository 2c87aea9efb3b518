package dev.easel.nodes.core.model;

import dev.easel.node.RefCounted;
import dev.easel.runtime.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Named weights (a PyTorch state dict) that outlive any node's native-memory scope: the dict owns one reference to
 * each tensor and frees them all when its last owner {@link #release() releases} it. Model objects keep a
 * {@code StateDict} and look weights up by name; {@link #withPrefix} gives the weights of one sub-module.
 */
public final class StateDict implements RefCounted {

    private final String source;
    private final Map<String, Tensor> tensors;
    private final AtomicInteger owners = new AtomicInteger(1);

    private StateDict(String source, Map<String, Tensor> tensors) {
        this.source = source;
        this.tensors = tensors;
    }

    /**
     * Takes ownership of {@code tensors} (each gets a reference that survives the caller's scope).
     *
     * @param source what the weights came from (a file name), for error messages
     */
    public static StateDict of(String source, Map<String, Tensor> tensors) {
        Map<String, Tensor> owned = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            t.retainReference();
            owned.put(name, t);
        });
        return new StateDict(source, Collections.unmodifiableMap(owned));
    }

    /** Every tensor of a safetensors file, converted to {@code dtype} (a copy; the file is not kept open). */
    public static StateDict readSafetensors(Path file, ScalarType dtype) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
            for (String name : f.names()) {
                Tensor t = f.load(name);
                out.put(name, f.info(name).scalarType().intern() == dtype ? t : t.to(dtype));
            }
            return of(file.getFileName().toString(), out);
        }
    }

    /** The tensor named {@code key}; a clear error naming the key and the source when it is missing. */
    public Tensor get(String key) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new MissingWeightException(source, key);
        }
        return t;
    }

    public boolean has(String key) {
        return tensors.containsKey(key);
    }

    /** The keys, sorted. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(new TreeSet<>(tensors.keySet()));
    }

    public int size() {
        return tensors.size();
    }

    public String source() {
        return source;
    }

    /**
     * The weights under {@code prefix} with the prefix removed (for example {@code "model.diffusion_model."}), as a
     * new dict sharing the same tensors (each gets its own reference).
     */
    public StateDict withPrefix(String prefix) {
        Map<String, Tensor> sub = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (name.startsWith(prefix)) {
                sub.put(name.substring(prefix.length()), new Tensor(t)); // a new handle on the same storage
            }
        });
        return of(source + ":" + prefix, sub);
    }

    /** Total bytes of the tensors. */
    @Override
    public long nativeBytes() {
        long bytes = 0;
        for (Tensor t : tensors.values()) {
            bytes += t.nbytes();
        }
        return bytes;
    }

    @Override
    public void retain() {
        if (owners.getAndIncrement() <= 0) {
            throw new IllegalStateException("state dict " + source + " was already freed");
        }
    }

    @Override
    public void release() {
        int left = owners.decrementAndGet();
        if (left == 0) {
            tensors.values().forEach(Tensor::releaseReference);
        } else if (left < 0) {
            throw new IllegalStateException("state dict " + source + " released more often than retained");
        }
    }

    /** A weight a model needs is not in the file. */
    public static final class MissingWeightException extends IllegalArgumentException {
        public MissingWeightException(String source, String key) {
            super(source + ": missing weight '" + key + "'");
        }
    }
}
