package dev.easel.nodes.core.model;

import dev.easel.node.RefCounted;
import dev.easel.runtime.safetensors.SafetensorsFile;
import dev.easel.runtime.safetensors.TensorInfo;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
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
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
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

    /** Bytes read and converted at a time: small enough to stay in the cache between the read and the copy. */
    private static final long CHUNK = 4L << 20;
    /** Threads reading one file. */
    private static final int READ_THREADS = 2;

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
     * Every tensor of a safetensors file, converted to {@code dtype} (a copy; the file is not kept open).
     *
     * <p>The file is not memory-mapped: each tensor is allocated in {@code dtype} and filled chunk by chunk with
     * positioned reads into a small staging buffer, converted from there. So the peak memory is the result plus a
     * few MiB (a whole-file mapping would keep every page of the file resident, and counted in the process's RSS,
     * until the last tensor was copied out: about 1.5× the float32 weights for a float16 file, 2× with the
     * intermediate copies). Two threads share the work on machines with two or more cores.
     */
    public static StateDict readSafetensors(Path file, ScalarType dtype) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file); // validates the header
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            List<TensorInfo> infos = new ArrayList<>();
            f.names().forEach(name -> infos.add(f.info(name)));
            Tensor[] results = new Tensor[infos.size()];
            try {
                readAll(file, channel, infos, dtype, results);
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

    /** Fills {@code results} (one reference each), on up to {@link #READ_THREADS} threads taking tensors in turn. */
    private static void readAll(Path file, FileChannel channel, List<TensorInfo> infos, ScalarType dtype,
                                Tensor[] results) throws IOException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            try (Chunks chunks = new Chunks()) {
                for (int i = next.getAndIncrement(); i < infos.size() && failure.get() == null;
                     i = next.getAndIncrement()) {
                    results[i] = readTensor(file, channel, infos.get(i), chunks, dtype);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        int threads = (int) Math.min(Math.min(READ_THREADS, Runtime.getRuntime().availableProcessors()), infos.size());
        List<Thread> helpers = new ArrayList<>();
        for (int i = 1; i < threads; i++) {
            Thread helper = new Thread(worker, "easel-read-" + file.getFileName() + "-" + i);
            helper.setDaemon(true);
            helper.start();
            helpers.add(helper);
        }
        worker.run();
        boolean interrupted = false;
        for (Thread helper : helpers) {
            while (true) {
                try {
                    helper.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // finish reading first: the helpers write into results
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        if (t instanceof IOException io) {
            throw io;
        } else if (t instanceof RuntimeException r) {
            throw r;
        } else if (t instanceof Error e) {
            throw e;
        } else if (t != null) {
            throw new IOException(file + ": " + t, t);
        }
    }

    /** A worker's staging buffer of {@link #CHUNK} bytes (allocated on first use). */
    private static final class Chunks implements AutoCloseable {
        private Tensor buffer;

        Tensor buffer() {
            if (buffer == null) {
                try (PointerScope scope = new PointerScope()) {
                    buffer = torch.empty(new long[] {CHUNK}, new TensorOptions(ScalarType.Byte),
                            new MemoryFormatOptional());
                    buffer.retainReference(); // survives the scope; released in close()
                }
            }
            return buffer;
        }

        @Override
        public void close() {
            if (buffer != null) {
                buffer.releaseReference();
                buffer = null;
            }
        }
    }

    /** One tensor, read chunk by chunk and converted into a fresh {@code dtype} tensor with one reference. */
    private static Tensor readTensor(Path file, FileChannel channel, TensorInfo info, Chunks chunks,
                                     ScalarType dtype) throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Tensor result = torch.empty(info.shape(), new TensorOptions(dtype), new MemoryFormatOptional());
            long bytes = info.byteSize();
            if (bytes > 0) {
                Tensor flat = result.view(-1);
                Tensor staging = chunks.buffer();
                Pointer data = staging.data_ptr();
                long itemSize = info.safetensorsDtype().itemSize();
                for (long done = 0; done < bytes; ) {
                    long length = Math.min(CHUNK, bytes - done); // CHUNK is a multiple of every item size
                    ByteBuffer slice = new BytePointer(data).limit(length).asByteBuffer();
                    while (slice.hasRemaining()) {
                        int n = channel.read(slice, info.dataBegin() + done + slice.position());
                        if (n < 0) {
                            throw new EOFException(file + ": the file ended inside tensor \"" + info.name()
                                    + "\" (truncated or modified while being read)");
                        }
                    }
                    Tensor part = staging.narrow(0, 0, length).view(info.scalarType());
                    flat.narrow(0, done / itemSize, length / itemSize).copy_(part); // converts the dtype
                    done += length;
                }
            }
            result.retainReference(); // survives the scope: the caller's reference
            return result;
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
