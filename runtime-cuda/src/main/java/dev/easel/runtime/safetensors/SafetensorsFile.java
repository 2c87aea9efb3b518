package dev.easel.runtime.safetensors;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * A safetensors file opened for reading (format spec: https://github.com/huggingface/safetensors).
 *
 * <p>{@link #open(Path)} reads and strictly validates the header only; the data is not touched until the first
 * {@link #view(String)} or {@link #load(String)}, which maps the whole file once with libtorch
 * ({@code torch.from_file}, no 2 GiB limit) and hands out views into that mapping.
 *
 * <h2>Views are zero-copy and must be treated as read-only</h2>
 * A tensor from {@link #view(String)} shares its memory with the file mapping. Callers must not modify it in place
 * ({@code add_}, {@code copy_}, {@code fill_}, out= ops, ...); use {@link #load(String)} for a private copy, or any
 * out-of-place op ({@code .to(...)}, {@code .mul(...)}) which allocates new memory anyway. The mapping is private
 * (copy-on-write, the file is opened read-only): an in-place write never reaches the file, but it does silently change
 * what later views of the same tensor from this {@code SafetensorsFile} see, and it turns shared page-cache pages into
 * private memory. (A private writable mapping also counts against the commit limit on hosts with strict overcommit,
 * {@code vm.overcommit_memory=2}; untouched pages use no memory of their own.)
 *
 * <h2>Lifetime</h2>
 * libtorch reference-counts the mapping: every view keeps it alive on its own, so views stay valid after
 * {@link #close()} and the file is unmapped when the last view is freed. Returned tensors follow the usual JavaCPP
 * rules: they are attached to the caller's innermost {@link PointerScope} when there is one (and die with it unless
 * retained), otherwise they are freed by {@code close()} or the garbage collector. Every temporary wrapper this class
 * creates internally is freed before the method returns.
 *
 * <p>The file must not be truncated or rewritten in place while it is mapped (the process would get SIGBUS on the
 * next access); replace it by writing a new file and renaming it over the old one, as
 * {@link SafetensorsWriter#writeAtomically} does. A replaced or modified file is detected when the mapping is first
 * made and reported as an {@link IOException}.
 *
 * <p>Thread-safe.
 */
public final class SafetensorsFile implements AutoCloseable {

    private final Path path;
    private final FileChannel channel;
    private final FileIdentity identity;
    private final SafetensorsHeader header;
    private final List<String> names;

    /** The whole file as a uint8 tensor; created on first use, owned by this object (one JavaCPP reference). */
    private Tensor mapping;
    private boolean closed;

    private SafetensorsFile(Path path, FileChannel channel, FileIdentity identity, SafetensorsHeader header) {
        this.path = path;
        this.channel = channel;
        this.identity = identity;
        this.header = header;
        this.names = List.copyOf(header.tensors.keySet());
    }

    /**
     * Opens {@code path} and validates its header.
     *
     * @throws SafetensorsFormatException when the file breaks the format (the message names the file, the tensor
     *         and the problem)
     * @throws IOException when the file cannot be read
     */
    public static SafetensorsFile open(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            FileIdentity identity = FileIdentity.of(path);
            if (identity.size != channel.size()) {
                throw new IOException(path + ": the file changed while it was being opened");
            }
            SafetensorsHeader header = SafetensorsHeader.read(path, channel);
            return new SafetensorsFile(path, channel, identity, header);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The file this reads. */
    public Path path() {
        return path;
    }

    /** The file's size in bytes. */
    public long fileSize() {
        return identity.size;
    }

    /** The {@code __metadata__} entries in header order (empty when the file has none); unmodifiable. */
    public Map<String, String> metadata() {
        return header.metadata;
    }

    /** The tensor names in header order (which is the order of their data in files the reference writes). */
    public List<String> names() {
        return names;
    }

    /** True when the file holds a tensor called {@code name}. */
    public boolean contains(String name) {
        return header.tensors.containsKey(name);
    }

    /**
     * The header entry of {@code name}.
     *
     * @throws IllegalArgumentException when there is no such tensor
     */
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException(path + ": no tensor named \"" + name + "\"");
        }
        return info;
    }

    /**
     * A zero-copy CPU view of tensor {@code name} into the file mapping: read-only by contract (see the class
     * comment), contiguous, with the file's dtype and shape. It stays valid after {@link #close()}.
     *
     * <p>Two cases copy instead: a zero-element tensor is a fresh empty tensor, and a tensor whose data is not
     * aligned to its element size in the file (the reference writer always aligns; other writers may not) is a
     * private copy, because libtorch cannot view misaligned bytes as a wider type.
     *
     * @throws IllegalArgumentException when there is no such tensor
     * @throws IllegalStateException when this file was closed
     * @throws IOException when the file cannot be mapped, or changed on disk since {@link #open(Path)}
     */
    public Tensor view(String name) throws IOException {
        TensorInfo info = info(name);
        TorchSupport.ready();
        if (info.byteSize() == 0) {
            requireOpen();
            return TorchSupport.returnToCaller(() -> torch.empty(info.shape(), new TensorOptions(info.scalarType()),
                    new MemoryFormatOptional()));
        }
        synchronized (this) {
            Tensor bytes = mapping();
            boolean aligned = info.dataBegin() % info.safetensorsDtype().itemSize() == 0;
            return TorchSupport.returnToCaller(() -> {
                Tensor raw = bytes.narrow(0, info.dataBegin(), info.byteSize());
                if (!aligned) {
                    raw = raw.clone(); // a fresh allocation is aligned for any dtype
                }
                return raw.view(info.scalarType()).view(info.shape());
            });
        }
    }

    /**
     * A private, contiguous CPU copy of tensor {@code name}, safe to modify in place.
     *
     * @throws IllegalArgumentException when there is no such tensor
     * @throws IllegalStateException when this file was closed
     * @throws IOException when the file cannot be mapped, or changed on disk since {@link #open(Path)}
     */
    public Tensor load(String name) throws IOException {
        TensorInfo info = info(name);
        TorchSupport.ready();
        if (info.byteSize() == 0) {
            return view(name); // already a fresh tensor
        }
        synchronized (this) {
            Tensor bytes = mapping();
            return TorchSupport.returnToCaller(() -> bytes.narrow(0, info.dataBegin(), info.byteSize()).clone()
                    .view(info.scalarType()).view(info.shape()));
        }
    }

    /**
     * The raw little-endian bytes of tensor {@code name}, as a read-only buffer mapped from the file (no libtorch
     * involved). Limited to tensors under 2 GiB by {@link ByteBuffer}; use {@link #sha256(String)} to check larger
     * ones.
     *
     * @throws IllegalArgumentException when there is no such tensor
     * @throws IllegalStateException when this file was closed
     * @throws UnsupportedOperationException when the tensor is 2 GiB or larger
     */
    public ByteBuffer rawBytes(String name) throws IOException {
        TensorInfo info = info(name);
        if (info.byteSize() > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException(path + ": tensor \"" + name + "\" is " + info.byteSize()
                    + " bytes, too large for a ByteBuffer");
        }
        requireOpen();
        return channel.map(FileChannel.MapMode.READ_ONLY, info.dataBegin(), info.byteSize())
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The SHA-256 of tensor {@code name}'s bytes as stored in the file, read in 1 MiB chunks (any size, nothing
     * materialised), for integrity checks.
     *
     * @throws IllegalArgumentException when there is no such tensor
     * @throws IllegalStateException when this file was closed
     */
    public byte[] sha256(String name) throws IOException {
        TensorInfo info = info(name);
        requireOpen();
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        long position = info.dataBegin();
        while (position < info.dataEnd()) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), info.dataEnd() - position));
            int n = channel.read(chunk, position);
            if (n < 0) {
                throw new EOFException(path + ": the file shrank while tensor \"" + name + "\" was being read");
            }
            position += n;
            digest.update(chunk.flip());
        }
        return digest.digest();
    }

    /**
     * Releases this object's hold on the file mapping and closes the file. Tensors returned earlier stay valid (they
     * hold the mapping themselves); the header accessors keep working; {@link #view}, {@link #load},
     * {@link #rawBytes} and {@link #sha256} throw {@link IllegalStateException}. Idempotent.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (mapping != null) {
            mapping.releaseReference(); // frees the wrapper; the storage lives on while views use it
            mapping = null;
        }
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + names.size() + " tensors]";
    }

    private synchronized void requireOpen() {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
    }

    /** The file as one uint8 tensor, mapped on first use. Call with the lock held. */
    private Tensor mapping() throws IOException {
        requireOpen();
        if (mapping != null) {
            return mapping;
        }
        identity.requireUnchanged(path);
        Tensor mapped;
        try (PointerScope scope = new PointerScope()) {
            // shared=false maps privately with the file opened read-only: works on read-only files and never writes
            // to the model; shared=true would open it O_RDWR|O_CREAT and could grow it with ftruncate.
            BytePointer file = new BytePointer(path.toString(), pathCharset());
            mapped = torch.from_file(file, new BoolOptional(false), new LongOptional(identity.size),
                    new TensorOptions(ScalarType.Byte));
            mapped.retainReference(); // this object's reference, released in close()
        } catch (RuntimeException e) {
            throw new IOException(path + ": cannot map the file: " + firstLine(e.getMessage()), e);
        }
        try {
            identity.requireUnchanged(path); // the mapping was made by path: make sure it is still the same file
        } catch (IOException e) {
            mapped.releaseReference();
            throw e;
        }
        mapping = mapped;
        return mapping;
    }

    /** The charset the JVM uses for file names, so that libtorch opens the same file as Java. */
    private static Charset pathCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** What identifies the file's contents at open time: the inode (where known), size and modification time. */
    private record FileIdentity(Object fileKey, long size, FileTime modified) {

        static FileIdentity of(Path path) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return new FileIdentity(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime());
        }

        void requireUnchanged(Path path) throws IOException {
            if (!equals(of(path))) {
                throw new IOException(path + ": the file was replaced or modified since it was opened; open it again");
            }
        }
    }
}
