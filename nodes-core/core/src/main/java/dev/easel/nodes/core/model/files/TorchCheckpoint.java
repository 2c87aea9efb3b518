package dev.easel.nodes.core.model.files;

import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.pickle.PickleException;
import dev.easel.nodes.core.model.pickle.PickledTensor;
import dev.easel.nodes.core.model.pickle.RestrictedUnpickler;
import dev.easel.nodes.core.model.pickle.TorchStorageRef;
import dev.easel.runtime.Torch;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A zip-format {@code torch.save} file ({@code .ckpt}, {@code .pt}, {@code .pth}, {@code .bin}) opened for reading:
 * its {@code <archive>/data.pkl} is run through the {@link RestrictedUnpickler} (no code is executed), and tensors are
 * rebuilt as strided views of their storages, the zip entries {@code <archive>/data/<key>}, mapped from the file by
 * libtorch (no 2 GiB limit, no copy). Tensors that share a storage in the file share it here.
 *
 * <p>Views from {@link #view} are read-only by contract, like {@code SafetensorsFile.view}: the mapping is private
 * (copy-on-write, the file is opened read-only), so an in-place write never reaches the file but would change what
 * later views of the same storage see. {@link #stateDict} copies. The file must not be rewritten in place while views
 * are alive.
 *
 * <p>Not thread-safe.
 */
public final class TorchCheckpoint implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final TorchZip zip;
    private final String archive;
    private final Object root;
    private final Map<String, PickledTensor> entries;
    private final Map<String, Tensor> storages = new HashMap<>();
    private Tensor mapping;
    private boolean closed;

    private TorchCheckpoint(Path file, FileChannel channel, TorchZip zip, String archive, Object root) {
        this.file = file;
        this.channel = channel;
        this.zip = zip;
        this.archive = archive;
        this.root = root;
        this.entries = Collections.unmodifiableMap(tensorEntries(unwrap(root)));
    }

    /**
     * Opens {@code file}, reads its zip directory and unpickles {@code data.pkl} (no tensor data is read yet).
     *
     * @throws CheckpointFormatException for a truncated or corrupt zip, a zip without {@code <name>/data.pkl}, or
     *         a TorchScript archive
     * @throws dev.easel.nodes.core.model.pickle.PickleSecurityException when the pickle names a global outside the
     *         allow-list
     * @throws PickleException when the pickle is corrupt
     */
    public static TorchCheckpoint open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            TorchZip zip = TorchZip.read(file, channel);
            String pickleName = null;
            for (String name : zip.entries().keySet()) {
                int slash = name.indexOf('/');
                if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                    if (pickleName != null) {
                        throw new CheckpointFormatException(file, null, "zip archive holds more than one data.pkl ("
                                + pickleName + ", " + name + ")");
                    }
                    pickleName = name;
                }
            }
            if (pickleName == null) {
                throw new CheckpointFormatException(file, null, "not a torch.save archive: the zip has no"
                        + " <name>/data.pkl entry");
            }
            String archive = pickleName.substring(0, pickleName.indexOf('/') + 1);
            if (zip.entries().containsKey(archive + "constants.pkl")
                    || zip.entries().keySet().stream().anyMatch(n -> n.startsWith(archive + "code/"))) {
                throw new CheckpointFormatException(file, null, "a TorchScript archive (torch.jit.save), not a"
                        + " state dict saved with torch.save");
            }
            byte[] pickle = zip.readBytes(zip.entries().get(pickleName));
            Object root = RestrictedUnpickler.load(file + ":" + pickleName, pickle);
            return new TorchCheckpoint(file, channel, zip, archive, root);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** The folder prefix of the entries inside the zip, with its trailing slash (for example {@code archive/}). */
    public String archiveName() {
        return archive;
    }

    /**
     * The whole unpickled object (see {@link RestrictedUnpickler} for how Python values are represented); tensors are
     * {@link PickledTensor}s.
     */
    public Object root() {
        return root;
    }

    /**
     * The tensors of the state dict, in file order: the top-level {@code "state_dict"} when there is one, else the
     * value of a single-key top-level dict when that is a dict, else the top level (ComfyUI's rules). Entries whose
     * key is not a string or whose value is not a tensor are left out.
     */
    public Map<String, PickledTensor> tensors() {
        return entries;
    }

    /**
     * A zero-copy view of the state dict tensor {@code key} (read-only by contract; see the class comment), in the
     * file's dtype, shape and strides. Attached to the caller's {@link PointerScope} like any libtorch result.
     */
    public Tensor view(String key) throws IOException {
        PickledTensor t = entries.get(key);
        if (t == null) {
            throw new CheckpointFormatException(file, key, "no such tensor in the state dict");
        }
        return view(key, t);
    }

    /**
     * A zero-copy view of any pickled tensor of this file (for example one found in {@link #root()} outside the state
     * dict); {@code key} only names it in errors.
     */
    public Tensor view(String key, PickledTensor t) throws IOException {
        requireOpen();
        Torch.load();
        Tensor storage = storage(key, t.storage());
        long storageElements = t.storage().byteSize() / t.dtype().itemSize();
        if (t.storage().byteSize() % t.dtype().itemSize() != 0 || t.extentEnd() > storageElements) {
            throw new CheckpointFormatException(file, key, "tensor of size " + Arrays.toString(t.size())
                    + ", stride " + Arrays.toString(t.stride()) + " and offset " + t.storageOffset()
                    + " reaches element " + t.extentEnd() + " of " + t.dtype() + ", but its storage "
                    + archive + "data/" + t.storage().key() + " holds " + storageElements);
        }
        return returnToCaller(() -> {
            Tensor typed = storage.view(t.dtype().scalarType());
            // as_strided's offset is absolute in the underlying storage (the whole file mapping)
            return typed.as_strided(t.size(), t.stride(), new LongOptional(typed.storage_offset() + t.storageOffset()));
        });
    }

    /**
     * The state dict's tensors converted to {@code dtype}: contiguous copies that do not depend on the file
     * (shared storages are not shared any more), owned by the returned {@link StateDict}.
     *
     * @throws CheckpointFormatException when the file holds no tensors, or a storage is missing, has the wrong size
     *         or is too small for a tensor viewing it (the message names the file and the tensor)
     */
    public StateDict stateDict(ScalarType dtype) throws IOException {
        if (entries.isEmpty()) {
            throw new CheckpointFormatException(file, null, "holds no tensors (top-level object: "
                    + describe(root) + ")");
        }
        Torch.load();
        ScalarType target = dtype.intern();
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, PickledTensor> e : entries.entrySet()) {
                Tensor view = view(e.getKey(), e.getValue());
                Tensor copy = torch.empty(e.getValue().size(), new TensorOptions(target), new MemoryFormatOptional());
                copy.copy_(view);
                out.put(e.getKey(), copy);
            }
            return StateDict.of(file.getFileName().toString(), out);
        }
    }

    /** Frees the storages and the file mapping held by this object (views handed out stay valid). Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        storages.values().forEach(Tensor::releaseReference);
        storages.clear();
        if (mapping != null) {
            mapping.releaseReference();
            mapping = null;
        }
        channel.close();
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** The storage as a flat uint8 tensor, checked against its zip entry; cached so that views share it. */
    private Tensor storage(String key, TorchStorageRef ref) throws IOException {
        Tensor cached = storages.get(ref.key());
        if (cached != null) {
            return cached;
        }
        String entryName = archive + "data/" + ref.key();
        TorchZip.Entry entry = zip.entries().get(entryName);
        if (entry == null) {
            throw new CheckpointFormatException(file, key, "its storage entry " + entryName
                    + " is missing from the zip archive");
        }
        if (entry.size() != ref.byteSize()) {
            throw new CheckpointFormatException(file, key, "its storage entry " + entryName + " has " + entry.size()
                    + " bytes, but the pickle declares " + ref.numel() + " " + ref.dtype() + " elements ("
                    + ref.byteSize() + " bytes)");
        }
        Tensor bytes;
        if (ref.byteSize() == 0) {
            bytes = returnToCaller(() -> torch.empty(new long[] {0}, new TensorOptions(ScalarType.Byte),
                    new MemoryFormatOptional()));
        } else if (entry.method() == 0) {
            long offset = zip.dataOffset(entry);
            Tensor file = mapping();
            boolean aligned = offset % 16 == 0; // enough for every element type (torch.save aligns to 64)
            bytes = returnToCaller(() -> {
                Tensor raw = file.narrow(0, offset, ref.byteSize());
                return aligned ? raw : raw.clone(); // libtorch cannot view misaligned bytes as a wider type
            });
        } else {
            byte[] data;
            try {
                data = zip.readBytes(entry);
            } catch (CheckpointFormatException e) {
                throw new CheckpointFormatException(file, key, "its storage " + e.getMessage(), e);
            }
            bytes = returnToCaller(() -> {
                BytePointer p = new BytePointer(data);
                return torch.from_blob(p, new long[] {data.length}, new TensorOptions(ScalarType.Byte)).clone();
            });
        }
        bytes.retainReference(); // held by this object until close()
        storages.put(ref.key(), bytes);
        return bytes;
    }

    private Tensor mapping() throws IOException {
        if (mapping != null) {
            return mapping;
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("torch.save data is little-endian; this host is not");
        }
        try (PointerScope scope = new PointerScope()) {
            BytePointer path = new BytePointer(file.toString(), pathCharset());
            // shared=false: a private mapping of the file opened read-only (never writes to the model file)
            Tensor mapped = torch.from_file(path, new BoolOptional(false), new LongOptional(zip.fileSize()),
                    new TensorOptions(ScalarType.Byte));
            mapped.retainReference();
            mapping = mapped;
        } catch (RuntimeException e) {
            throw new CheckpointFormatException(file, null, "cannot map the file: " + e.getMessage(), e);
        }
        return mapping;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(file + " is closed");
        }
    }

    /** ComfyUI's {@code load_torch_file} unwrapping of checkpoint containers. */
    static Object unwrap(Object root) {
        if (root instanceof Map<?, ?> map) {
            if (map.containsKey("state_dict")) {
                return map.get("state_dict");
            }
            if (map.size() == 1) {
                Object only = map.values().iterator().next();
                if (only instanceof Map<?, ?>) {
                    return only;
                }
            }
        }
        return root;
    }

    private static Map<String, PickledTensor> tensorEntries(Object dict) {
        Map<String, PickledTensor> out = new LinkedHashMap<>();
        if (dict instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (k instanceof String key && v instanceof PickledTensor t) {
                    out.put(key, t);
                }
            });
        }
        return out;
    }

    private static String describe(Object o) {
        if (o instanceof Map<?, ?> m) {
            List<String> keys = m.keySet().stream().limit(8).map(String::valueOf).toList();
            return "a dict with keys " + keys + (m.size() > 8 ? " ..." : "");
        }
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    private static Tensor returnToCaller(Supplier<Tensor> body) {
        Tensor inner;
        try (PointerScope scope = new PointerScope()) {
            inner = body.get();
            inner.retainReference();
        }
        try {
            return new Tensor(inner);
        } finally {
            inner.releaseReference();
        }
    }

    private static Charset pathCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
