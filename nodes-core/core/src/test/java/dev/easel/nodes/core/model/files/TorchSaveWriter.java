package dev.easel.nodes.core.model.files;

import dev.easel.nodes.core.model.pickle.PickleWriter;
import dev.easel.nodes.core.model.pickle.TorchDtype;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;

/**
 * Test-only: writes the zip layout of {@code torch.save} (PyTorch >= 1.6, pickle protocol 2): an
 * {@code OrderedDict} of tensors in {@code <archive>/data.pkl}, each storage in {@code <archive>/data/<key>} (stored,
 * data aligned to 64 bytes like PyTorch's writer unless {@link #misalign} is set), plus {@code byteorder} and
 * {@code version}.
 */
public final class TorchSaveWriter {

    public record Storage(String key, TorchDtype dtype, byte[] data) {
        long numel() {
            return data.length / dtype.itemSize();
        }
    }

    public record TensorSpec(String storageKey, long offset, long[] size, long[] stride) {
    }

    public final Map<String, Storage> storages = new LinkedHashMap<>();
    public final Map<String, TensorSpec> tensors = new LinkedHashMap<>();
    public String archive = "archive";
    /** Wrap the state dict like a Lightning checkpoint: {"epoch", "global_step", "state_dict", "callbacks"}. */
    public boolean lightning;
    /** Data offset modulo 64 of each storage entry (PyTorch: 0). */
    public int misalign;
    /** Storage entries left out of the zip. */
    public final Set<String> omit = new HashSet<>();
    /** Extra pickle ops written as the value of key "extra" in the state dict (after the tensors). */
    public Consumer<PickleWriter> extraValue;
    /** Storage entries written with these bytes instead. */
    public final Map<String, byte[]> replaceData = new LinkedHashMap<>();
    /**
     * Writes the top-level object instead of the OrderedDict of {@link #tensors} (which then only name the tensors
     * that {@link #writeTensor(PickleWriter, String)} can write), e.g. an A1111 embedding's dict of dicts.
     */
    public Consumer<PickleWriter> root;

    public TorchSaveWriter storage(String key, TorchDtype dtype, byte[] data) {
        storages.put(key, new Storage(key, dtype, data));
        return this;
    }

    public TorchSaveWriter tensor(String name, String storageKey, long offset, long[] size, long[] stride) {
        tensors.put(name, new TensorSpec(storageKey, offset, size, stride));
        return this;
    }

    /** Each tensor as its own contiguous storage, in its own dtype. */
    public static TorchSaveWriter of(Map<String, Tensor> weights) {
        TorchSaveWriter w = new TorchSaveWriter();
        int key = 0;
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            Tensor t = e.getValue();
            TorchDtype dtype = TorchDtype.of(t.scalar_type()).orElseThrow();
            String k = Integer.toString(key++);
            w.storage(k, dtype, bytes(t));
            long[] size = t.sizes().vec().get();
            w.tensor(e.getKey(), k, 0, size, contiguousStrides(size));
        }
        return w;
    }

    public static long[] contiguousStrides(long[] size) {
        long[] stride = new long[size.length];
        long s = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= size[i];
        }
        return stride;
    }

    /** The bytes of a tensor in row-major order. */
    public static byte[] bytes(Tensor t) {
        Tensor c = t.contiguous();
        long n = c.nbytes();
        byte[] out = new byte[Math.toIntExact(n)];
        if (n > 0) {
            BytePointer p = new BytePointer(c.data_ptr());
            p.capacity(n);
            p.get(out);
        }
        return out;
    }

    public byte[] pickle() {
        PickleWriter w = new PickleWriter().proto(2);
        if (root != null) {
            root.accept(w);
            return w.stop().bytes();
        }
        if (lightning) {
            w.emptyDict().mark();
            w.string("epoch").integer(6);
            w.string("global_step").integer(470000);
            w.string("pytorch-lightning_version").string("1.4.2");
            w.string("state_dict");
        }
        w.global("collections", "OrderedDict").emptyTuple().reduce();
        List<String> names = new ArrayList<>(tensors.keySet());
        for (int batch = 0; batch < names.size() || batch == 0 && extraValue != null; batch += 1000) {
            w.mark();
            for (String name : names.subList(batch, Math.min(names.size(), batch + 1000))) {
                w.string(name);
                writeTensor(w, tensors.get(name));
            }
            if (extraValue != null && batch + 1000 >= names.size()) {
                w.string("extra");
                extraValue.accept(w);
            }
            w.setItems();
        }
        if (lightning) {
            w.string("callbacks").emptyDict();
            w.global("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint");
            w.emptyDict().mark().string("best_model_score").none().string("monitor").none().setItems();
            w.setItem();
            w.setItems();
        }
        return w.stop().bytes();
    }

    /** Pushes the tensor {@code name} of {@link #tensors} (for a {@link #root} writer). */
    public void writeTensor(PickleWriter w, String name) {
        writeTensor(w, tensors.get(name));
    }

    private void writeTensor(PickleWriter w, TensorSpec t) {
        Storage s = storages.get(t.storageKey());
        w.global("torch._utils", "_rebuild_tensor_v2");
        w.mark();
        w.mark().string("storage").global("torch", s.dtype().storageClassName()).string(s.key()).string("cpu")
                .integer(s.numel()).tuple();
        w.binPersId();
        w.integer(t.offset()).intTuple(t.size()).intTuple(t.stride()).bool(false);
        w.global("collections", "OrderedDict").emptyTuple().reduce();
        w.tuple();
        w.reduce();
    }

    public void write(Path file) throws IOException {
        try (CountingStream counting = new CountingStream(Files.newOutputStream(file));
                ZipOutputStream zip = new ZipOutputStream(counting)) {
            put(zip, counting, archive + "/data.pkl", pickle(), false);
            put(zip, counting, archive + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII), false);
            for (Storage s : storages.values()) {
                if (!omit.contains(s.key())) {
                    put(zip, counting, archive + "/data/" + s.key(), replaceData.getOrDefault(s.key(), s.data()), true);
                }
            }
            put(zip, counting, archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII), false);
        }
    }

    private void put(ZipOutputStream zip, CountingStream counting, String name, byte[] data, boolean align)
            throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTime(315532800000L + 86400000L * 365); // a fixed DOS-representable time
        if (align) {
            long headerEnd = counting.count + 30 + name.getBytes(StandardCharsets.UTF_8).length + 4;
            int pad = (int) Math.floorMod(misalign - headerEnd, 64L);
            ByteBuffer extra = ByteBuffer.allocate(4 + pad).order(ByteOrder.LITTLE_ENDIAN);
            extra.putShort((short) 0x4246).putShort((short) pad); // "FB", PyTorch's padding record
            e.setExtra(extra.array());
        }
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
