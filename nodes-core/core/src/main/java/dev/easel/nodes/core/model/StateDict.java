package dev.easel.nodes.core.model;

import dev.easel.node.RefCounted;
import dev.easel.runtime.safetensors.SafetensorsFile;
import dev.easel.runtime.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Named weights (a PyTorch state dict) that outlive any node's native-memory scope: the dict owns one reference to
 * each tensor and frees them all when its last owner {@link #release() releases} it. Model objects keep a
 * {@code StateDict} and look weights up by name; {@link #withPrefix} gives the weights of one sub-module.
 *
 * <p>Key use is tracked: every {@link #get} records the weight's full original name (the prefixes of
 * {@link #withPrefix} put back) in a set shared by a dict and every dict derived from it with {@code withPrefix}
 * ({@link #usedKeys()}), so that a loader can tell which weights of a file no model asked for.
 */
public final class StateDict implements RefCounted {

    private static final ThreadLocal<String> LAST_ACCESSED = new ThreadLocal<>();

    private final String source;
    /** Replaced as a whole by {@link #moveTo} (copy on write), so readers on other threads see one device. */
    private volatile Map<String, Tensor> tensors;
    private final AtomicInteger owners = new AtomicInteger(1);
    /** What the root dict came from ({@link #source} of the dict {@link #withPrefix} was first called on). */
    private final String origin;
    /** The prefixes removed from the root's names to give this dict's names ("" for a root dict). */
    private final String keyPrefix;
    /** Full original names of the weights {@link #get} returned, shared with the root and every derived dict. */
    private final Set<String> used;
    /** Patches in force on these tensors (made on first use). */
    private WeightPatcher patcher;

    private StateDict(String source, Map<String, Tensor> tensors, String origin, String keyPrefix, Set<String> used) {
        this.source = source;
        this.tensors = tensors;
        this.origin = origin;
        this.keyPrefix = keyPrefix;
        this.used = used;
    }

    /**
     * Takes ownership of {@code tensors} (each gets a reference that survives the caller's scope).
     *
     * @param source what the weights came from (a file name), for error messages
     */
    public static StateDict of(String source, Map<String, Tensor> tensors) {
        return of(source, tensors, source, "", ConcurrentHashMap.newKeySet());
    }

    private static StateDict of(String source, Map<String, Tensor> tensors, String origin, String keyPrefix,
                                Set<String> used) {
        Map<String, Tensor> owned = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            t.retainReference();
            owned.put(name, t);
        });
        return new StateDict(source, Collections.unmodifiableMap(owned), origin, keyPrefix, used);
    }

    /**
     * Every tensor of a safetensors file, converted to {@code dtype} (a copy; the file is not kept open or mapped).
     *
     * <p>Each tensor is allocated in {@code dtype} and filled window by window (a few MiB at a time), so the peak
     * memory is the result plus a few MiB: a whole-file mapping would keep every page of the file resident, and
     * counted in the process's RSS, until the last tensor was copied out (about 1.5× the float32 weights for a float16
     * file). Two threads share the work on machines with two or more cores. The tensors whose names share a first
     * segment ({@code model.}, {@code cond_stage_model.}, ...) are views of a few shared allocations, each freed with
     * the last of its tensors. See {@link SafetensorsReading}.
     */
    public static StateDict readSafetensors(Path file, ScalarType dtype) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file); // validates the header
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            List<TensorInfo> infos = new ArrayList<>();
            f.names().forEach(name -> infos.add(f.info(name)));
            Tensor[] results = new Tensor[infos.size()];
            try {
                SafetensorsReading.readAll(file, channel, infos, dtype, results);
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (int i = 0; i < results.length; i++) {
                    out.put(infos.get(i).name(), results[i]);
                }
                return of(file.getFileName().toString(), out);
            } finally {
                for (Tensor t : results) { // the dict has its own reference (or reading failed)
                    if (t != null) {
                        t.releaseReference();
                    }
                }
            }
        }
    }

    /**
     * The tensor named {@code key}; a clear error naming the source file and the weight's full name when it is
     * missing. The full name is recorded in {@link #usedKeys()}.
     */
    public Tensor get(String key) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw keyPrefix.isEmpty()
                    ? new MissingWeightException(source, key)
                    : new MissingWeightException(origin, keyPrefix + key);
        }
        used.add(keyPrefix + key);
        LAST_ACCESSED.set(keyPrefix + key);
        return t;
    }

    /**
     * The full name of the last weight {@link #get} returned on this thread. Models read weights by name just before
     * using them, so when a computation fails on a weight of the wrong shape, this names it.
     */
    public static String lastAccessedKey() {
        return LAST_ACCESSED.get();
    }

    /**
     * The full original names (prefixes put back) of the weights {@link #get} has returned so far, from this dict,
     * the dict it was derived from, or any dict derived from either with {@link #withPrefix}: one live, read-only
     * set for the whole family.
     */
    public Set<String> usedKeys() {
        return Collections.unmodifiableSet(used);
    }

    /** The prefix this dict's keys had in the dict it was derived from ("" for a dict made by {@link #of}). */
    public String keyPrefix() {
        return keyPrefix;
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
        return of(source + ":" + prefix, sub, origin, keyPrefix + prefix, used);
    }

    /** The device of the weights, in libtorch's spelling ({@code "cpu"}, {@code "cuda:0"}); "cpu" when empty. */
    public String device() {
        for (Tensor t : tensors.values()) {
            return t.device().str().getString();
        }
        return "cpu";
    }

    /**
     * Moves every weight to {@code device} (model placement: onto the GPU while a node uses the model, back to the
     * host under memory pressure). The old tensors are freed as soon as each is copied, so the peak is one tensor
     * more than the weights. Callers make sure no computation uses the weights meanwhile (ModelPlacement moves only
     * models nobody is using).
     */
    public synchronized void moveTo(String device) {
        if (device.equals(device())) {
            return;
        }
        Map<String, Tensor> moved = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            org.bytedeco.pytorch.Device target = new org.bytedeco.pytorch.Device(device);
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor copy = e.getValue().to(target, e.getValue().scalar_type());
                copy.retainReference(); // outlives this scope, like every weight of the dict
                moved.put(e.getKey(), copy);
            }
        }
        Map<String, Tensor> old = tensors;
        tensors = Collections.unmodifiableMap(moved);
        old.values().forEach(Tensor::releaseReference);
    }

    /**
     * The patches in force on these weights (LoRA), applied in place while computations use them. Patch the dict a
     * model reads its weights from; a {@link #withPrefix} view made later shares the tensors but not the patcher.
     */
    public synchronized WeightPatcher patcher() {
        if (patcher == null) {
            patcher = new WeightPatcher(this);
        }
        return patcher;
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
            synchronized (this) {
                if (patcher != null) {
                    patcher.discard();
                }
            }
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
