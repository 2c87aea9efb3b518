package dev.easel.nodes.core.model.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.easel.nodes.core.model.StateDict;
import dev.easel.nodes.core.model.pickle.PickleException;
import dev.easel.nodes.core.model.pickle.PickleSecurityException;
import dev.easel.nodes.core.model.pickle.PyGlobal;
import dev.easel.nodes.core.model.pickle.PyObject;
import dev.easel.nodes.core.model.pickle.PyTuple;
import dev.easel.nodes.core.model.pickle.TorchDtype;
import dev.easel.runtime.Torch;
import dev.easel.runtime.safetensors.SafetensorsFile;
import dev.easel.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointReaderTest {

    /**
     * Written by Python 3.11's pickle (protocol 2) and zipfile with stand-ins for torch's classes, in torch.save's
     * layout: a Lightning-style dict {'epoch': 3, 'global_step': 470000, 'pytorch-lightning_version': '1.4.2',
     * 'state_dict': OrderedDict(w: half [[1,2,3],[4,5,-6.5]], wt: its transpose (same storage, stride (1,3)),
     * b: float storage [10,11,12,13] from offset 1, size 3), 'callbacks': {ModelCheckpoint: {'best_model_score':
     * np.float64(0.25), 'best_k': np.int64(-7)}}, 'loss': np.float32(1.5), 'cb_obj': a ModelCheckpoint instance,
     * 'flags': (True, None, 2**70, -3, 1.25, b'\x00\xffab')}, archive folder "lightning".
     */
    private static final String PYTHON_V2 =
            "UEsDBBQAAAAAAMYTdl1vt3jH+QMAAPkDAAASAAAAbGlnaHRuaW5nL2RhdGEucGtsgAJ9cQAoWAUAAABlcG9jaHEBSwNYCwAAAGds"
            + "b2JhbF9zdGVwcQJK8CsHAFgZAAAAcHl0b3JjaC1saWdodG5pbmdfdmVyc2lvbnEDWAUAAAAxLjQuMnEEWAoAAABzdGF0ZV9kaWN0"
            + "cQVjY29sbGVjdGlvbnMKT3JkZXJlZERpY3QKcQYpUnEHKFgBAAAAd3EIY3RvcmNoLl91dGlscwpfcmVidWlsZF90ZW5zb3JfdjIK"
            + "cQkoKFgHAAAAc3RvcmFnZXEKY3RvcmNoCkhhbGZTdG9yYWdlCnELWAEAAAAwcQxYAwAAAGNwdXENSwZ0cQ5RSwBLAksDhnEPSwNL"
            + "AYZxEIloBilScRF0cRJScRNYAgAAAHd0cRRoCSgoaApoC2gMaA1LBnRxFVFLAEsDSwKGcRZLAUsDhnEXiWgGKVJxGHRxGVJxGlgB"
            + "AAAAYnEbaAkoKGgKY3RvcmNoCkZsb2F0U3RvcmFnZQpxHFgBAAAAMXEdaA1LBHRxHlFLAUsDhXEfSwGFcSCJaAYpUnEhdHEiUnEj"
            + "dVgJAAAAY2FsbGJhY2tzcSR9cSVjcHl0b3JjaF9saWdodG5pbmcuY2FsbGJhY2tzLm1vZGVsX2NoZWNrcG9pbnQKTW9kZWxDaGVj"
            + "a3BvaW50CnEmfXEnKFgQAAAAYmVzdF9tb2RlbF9zY29yZXEoY251bXB5Ll9jb3JlLm11bHRpYXJyYXkKc2NhbGFyCnEpY251bXB5"
            + "CmR0eXBlCnEqWAIAAABmOHEriYiHcSxScS0oSwNYAQAAADxxLk5OTkr/////Sv////9LAHRxL2JjX2NvZGVjcwplbmNvZGUKcTBY"
            + "CQAAAAAAAAAAAMOQP3ExWAYAAABsYXRpbjFxMoZxM1JxNIZxNVJxNlgGAAAAYmVzdF9rcTdoKWgqWAIAAABpOHE4iYiHcTlScToo"
            + "SwNoLk5OTkr/////Sv////9LAHRxO2JoMFgQAAAAw7nDv8O/w7/Dv8O/w7/Dv3E8aDKGcT1ScT6GcT9ScUB1c1gEAAAAbG9zc3FB"
            + "aCloKlgCAAAAZjRxQomIh3FDUnFEKEsDaC5OTk5K/////0r/////SwB0cUViaDBYBQAAAAAAw4A/cUZoMoZxR1JxSIZxSVJxSlgG"
            + "AAAAY2Jfb2JqcUtoJimBcUx9cU0oWAcAAABtb25pdG9ycU5OaChoKWgtaDBYCQAAAAAAAAAAAMOQP3FPaDKGcVBScVGGcVJScVNY"
            + "CgAAAHNhdmVfdG9wX2txVEr/////dWJYBQAAAGZsYWdzcVUoiE6KCQAAAAAAAAAAQEr9////Rz/0AAAAAAAAaDBYBQAAAADDv2Fi"
            + "cVZoMoZxV1JxWHRxWXUuUEsDBBQAAAAAAMYTdl2FPeMZBgAAAAYAAAATAAAAbGlnaHRuaW5nL2J5dGVvcmRlcmxpdHRsZVBLAwQU"
            + "AAAAAADGE3ZdjzYFxgwAAAAMAAAAEAAAAGxpZ2h0bmluZy9kYXRhLzAAPABAAEIARABFgMZQSwMEFAAAAAAAxhN2XRi5dTEQAAAA"
            + "EAAAABAAAABsaWdodG5pbmcvZGF0YS8xAAAgQQAAMEEAAEBBAABQQVBLAwQUAAAAAADGE3Zd0Z5nVQIAAAACAAAAEQAAAGxpZ2h0"
            + "bmluZy92ZXJzaW9uMwpQSwECFAMUAAAAAADGE3Zdb7d4x/kDAAD5AwAAEgAAAAAAAAAAAAAAgAEAAAAAbGlnaHRuaW5nL2RhdGEu"
            + "cGtsUEsBAhQDFAAAAAAAxhN2XYU94xkGAAAABgAAABMAAAAAAAAAAAAAAIABKQQAAGxpZ2h0bmluZy9ieXRlb3JkZXJQSwECFAMU"
            + "AAAAAADGE3ZdjzYFxgwAAAAMAAAAEAAAAAAAAAAAAAAAgAFgBAAAbGlnaHRuaW5nL2RhdGEvMFBLAQIUAxQAAAAAAMYTdl0YuXUx"
            + "EAAAABAAAAAQAAAAAAAAAAAAAACAAZoEAABsaWdodG5pbmcvZGF0YS8xUEsBAhQDFAAAAAAAxhN2XdGeZ1UCAAAAAgAAABEAAAAA"
            + "AAAAAAAAAIAB2AQAAGxpZ2h0bmluZy92ZXJzaW9uUEsFBgAAAAAFAAUAPAEAAAkFAAAAAA==";

    /** The same, pickled with protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE, SHORT_BINBYTES). */
    private static final String PYTHON_V4 =
            "UEsDBBQAAAAAAMcTdl3BBdW5GgMAABoDAAASAAAAbGlnaHRuaW5nL2RhdGEucGtsgASVDwMAAAAAAAB9lCiMBWVwb2NolEsDjAtn"
            + "bG9iYWxfc3RlcJRK8CsHAIwZcHl0b3JjaC1saWdodG5pbmdfdmVyc2lvbpSMBTEuNC4ylIwKc3RhdGVfZGljdJSMC2NvbGxlY3Rp"
            + "b25zlIwLT3JkZXJlZERpY3SUk5QpUpQojAF3lIwMdG9yY2guX3V0aWxzlIwSX3JlYnVpbGRfdGVuc29yX3YylJOUKCiMB3N0b3Jh"
            + "Z2WUjAV0b3JjaJSMC0hhbGZTdG9yYWdllJOUjAEwlIwDY3B1lEsGdJRRSwBLAksDhpRLA0sBhpSJaAgpUpR0lFKUjAJ3dJRoDSgo"
            + "aA5oEWgSaBNLBnSUUUsASwNLAoaUSwFLA4aUiWgIKVKUdJRSlIwBYpRoDSgoaA5oD4wMRmxvYXRTdG9yYWdllJOUjAExlGgTSwR0"
            + "lFFLAUsDhZRLAYWUiWgIKVKUdJRSlHWMCWNhbGxiYWNrc5R9lIwscHl0b3JjaF9saWdodG5pbmcuY2FsbGJhY2tzLm1vZGVsX2No"
            + "ZWNrcG9pbnSUjA9Nb2RlbENoZWNrcG9pbnSUk5R9lCiMEGJlc3RfbW9kZWxfc2NvcmWUjBZudW1weS5fY29yZS5tdWx0aWFycmF5"
            + "lIwGc2NhbGFylJOUjAVudW1weZSMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiQwgAAAAAAADQ"
            + "P5SGlFKUjAZiZXN0X2uUaDRoN4wCaTiUiYiHlFKUKEsDaDtOTk5K/////0r/////SwB0lGJDCPn/////////lIaUUpR1c4wEbG9z"
            + "c5RoNGg3jAJmNJSJiIeUUpQoSwNoO05OTkr/////Sv////9LAHSUYkMEAADAP5SGlFKUjAZjYl9vYmqUaC8pgZR9lCiMB21vbml0"
            + "b3KUTmgxaDRoOkMIAAAAAAAA0D+UhpRSlIwKc2F2ZV90b3Bfa5RK/////3VijAVmbGFnc5QoiE6KCQAAAAAAAAAAQEr9////Rz/0"
            + "AAAAAAAAQwQA/2FilHSUdS5QSwMEFAAAAAAAxxN2XYU94xkGAAAABgAAABMAAABsaWdodG5pbmcvYnl0ZW9yZGVybGl0dGxlUEsD"
            + "BBQAAAAAAMcTdl2PNgXGDAAAAAwAAAAQAAAAbGlnaHRuaW5nL2RhdGEvMAA8AEAAQgBEAEWAxlBLAwQUAAAAAADHE3ZdGLl1MRAA"
            + "AAAQAAAAEAAAAGxpZ2h0bmluZy9kYXRhLzEAACBBAAAwQQAAQEEAAFBBUEsDBBQAAAAAAMcTdl3RnmdVAgAAAAIAAAARAAAAbGln"
            + "aHRuaW5nL3ZlcnNpb24zClBLAQIUAxQAAAAAAMcTdl3BBdW5GgMAABoDAAASAAAAAAAAAAAAAACAAQAAAABsaWdodG5pbmcvZGF0"
            + "YS5wa2xQSwECFAMUAAAAAADHE3ZdhT3jGQYAAAAGAAAAEwAAAAAAAAAAAAAAgAFKAwAAbGlnaHRuaW5nL2J5dGVvcmRlclBLAQIU"
            + "AxQAAAAAAMcTdl2PNgXGDAAAAAwAAAAQAAAAAAAAAAAAAACAAYEDAABsaWdodG5pbmcvZGF0YS8wUEsBAhQDFAAAAAAAxxN2XRi5"
            + "dTEQAAAAEAAAABAAAAAAAAAAAAAAAIABuwMAAGxpZ2h0bmluZy9kYXRhLzFQSwECFAMUAAAAAADHE3Zd0Z5nVQIAAAACAAAAEQAA"
            + "AAAAAAAAAAAAgAH5AwAAbGlnaHRuaW5nL3ZlcnNpb25QSwUGAAAAAAUABQA8AQAAKgQAAAAA";

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        Torch.load();
    }

    static Path fixtures() {
        return Path.of(System.getProperty("easel.repo.root")).resolve("../shared/fixtures");
    }

    @Test
    void readsAPythonWrittenLightningCheckpoint() throws Exception {
        for (String b64 : List.of(PYTHON_V2, PYTHON_V4)) {
            Path file = dir.resolve("lightning.ckpt");
            Files.write(file, Base64.getDecoder().decode(b64));
            assertEquals(CheckpointReader.Format.TORCH_ZIP, CheckpointReader.detectFormat(file));
            try (PointerScope scope = new PointerScope(); TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
                assertEquals("lightning/", ckpt.archiveName());
                assertEquals(List.of("w", "wt", "b"), List.copyOf(ckpt.tensors().keySet()));
                Tensor w = AbstractTensor.create(1f, 2f, 3f, 4f, 5f, -6.5f).reshape(2, 3);
                assertTrue(torch.equal(ckpt.view("w").to(ScalarType.Float), w), values(ckpt.view("w")));
                assertTrue(torch.equal(ckpt.view("wt").to(ScalarType.Float), w.t()));
                assertTrue(torch.equal(ckpt.view("b"), AbstractTensor.create(11f, 12f, 13f)));
                assertEquals(ScalarType.Half, ckpt.view("w").scalar_type().intern());

                Map<?, ?> root = (Map<?, ?>) ckpt.root();
                assertEquals(3L, root.get("epoch"));
                assertEquals(470000L, root.get("global_step"));
                assertEquals(1.5, root.get("loss"));
                Map<?, ?> callbacks = (Map<?, ?>) root.get("callbacks");
                Map<?, ?> state = (Map<?, ?>) callbacks.get(
                        new PyGlobal("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint"));
                assertEquals(0.25, state.get("best_model_score"));
                assertEquals(-7L, state.get("best_k"));
                PyObject cb = assertInstanceOf(PyObject.class, root.get("cb_obj"));
                assertEquals("pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint", cb.className());
                assertEquals(-1L, ((Map<?, ?>) cb.state()).get("save_top_k"));
                PyTuple flags = (PyTuple) root.get("flags");
                assertEquals(Boolean.TRUE, flags.get(0));
                assertEquals(null, flags.get(1));
                assertEquals(BigInteger.TWO.pow(70), flags.get(2));
                assertEquals(-3L, flags.get(3));
                assertEquals(1.25, flags.get(4));
                assertEquals("[0, -1, 97, 98]", java.util.Arrays.toString((byte[]) flags.get(5)));

                // w and wt are views of one storage
                long delta = ckpt.view("wt").data_ptr().address() - ckpt.view("w").data_ptr().address();
                assertEquals(0, delta);
            }
            try (Owned sd = new Owned(CheckpointReader.read(file, ScalarType.Float))) {
                assertEquals(List.of("b", "w", "wt"), List.copyOf(sd.keys()));
                assertTrue(sd.get("wt").is_contiguous());
            }
        }
    }

    @Test
    void mixedTensorsMatchTheSameTensorsFromSafetensors() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(7);
            Tensor half = torch.randn(3, 4).to(ScalarType.Half);
            Tensor flt = torch.randn(5);
            Tensor bf16 = torch.randn(2, 2).to(ScalarType.BFloat16);
            Tensor longs = torch.arange(new org.bytedeco.pytorch.Scalar(6)).to(ScalarType.Long);
            Tensor shared = torch.randn(20);
            Tensor base2 = torch.randn(4, 3);

            Map<String, Tensor> expected = new LinkedHashMap<>();
            expected.put("half", half);
            expected.put("float", flt);
            expected.put("bf16", bf16);
            expected.put("long", longs);
            expected.put("view1", shared.as_strided(new long[] {3, 4}, new long[] {4, 1}, new LongOptional(2)));
            expected.put("view2", shared.as_strided(new long[] {6}, new long[] {1}, new LongOptional(14)));
            expected.put("transposed", base2.t());
            expected.put("scalar", shared.as_strided(new long[] {}, new long[] {}, new LongOptional(5)));
            expected.put("strided", shared.as_strided(new long[] {2, 3}, new long[] {1, 5}, new LongOptional(1)));

            TorchSaveWriter w = new TorchSaveWriter();
            w.storage("0", TorchDtype.FLOAT16, TorchSaveWriter.bytes(half));
            w.storage("1", TorchDtype.FLOAT32, TorchSaveWriter.bytes(flt));
            w.storage("2", TorchDtype.BFLOAT16, TorchSaveWriter.bytes(bf16));
            w.storage("3", TorchDtype.INT64, TorchSaveWriter.bytes(longs));
            w.storage("4", TorchDtype.FLOAT32, TorchSaveWriter.bytes(shared));
            w.storage("5", TorchDtype.FLOAT32, TorchSaveWriter.bytes(base2));
            w.tensor("half", "0", 0, new long[] {3, 4}, new long[] {4, 1});
            w.tensor("float", "1", 0, new long[] {5}, new long[] {1});
            w.tensor("bf16", "2", 0, new long[] {2, 2}, new long[] {2, 1});
            w.tensor("long", "3", 0, new long[] {6}, new long[] {1});
            w.tensor("view1", "4", 2, new long[] {3, 4}, new long[] {4, 1});
            w.tensor("view2", "4", 14, new long[] {6}, new long[] {1});
            w.tensor("transposed", "5", 0, new long[] {3, 4}, new long[] {1, 3});
            w.tensor("scalar", "4", 5, new long[] {}, new long[] {});
            w.tensor("strided", "4", 1, new long[] {2, 3}, new long[] {1, 5});

            Path safetensors = dir.resolve("mixed.safetensors");
            SafetensorsWriter.write(safetensors, expected);
            for (int misalign : new int[] {0, 1, 6}) {
                w.misalign = misalign;
                w.lightning = misalign == 1;
                Path ckpt = dir.resolve("mixed" + misalign + ".ckpt");
                w.write(ckpt);
                for (ScalarType dtype : new ScalarType[] {ScalarType.Float, ScalarType.Half}) {
                    try (Owned fromCkpt = new Owned(CheckpointReader.read(ckpt, dtype));
                            Owned fromSafetensors = new Owned(CheckpointReader.read(safetensors, dtype))) {
                        assertEquals(fromSafetensors.keys(), fromCkpt.keys());
                        for (String key : fromSafetensors.keys()) {
                            Tensor a = fromCkpt.get(key);
                            assertEquals(dtype, a.scalar_type().intern(), key);
                            assertTrue(torch.equal(a, fromSafetensors.get(key)), key + " misalign " + misalign);
                        }
                    }
                }
                try (TorchCheckpoint c = TorchCheckpoint.open(ckpt)) {
                    Tensor v1 = c.view("view1");
                    Tensor v2 = c.view("view2");
                    assertEquals((14 - 2) * 4, v2.data_ptr().address() - v1.data_ptr().address(),
                            "views of one storage share it");
                    assertTrue(torch.equal(c.view("transposed"), base2.t()));
                    assertEquals(1, c.view("transposed").stride(0));
                }
            }
        }
    }

    @Test
    void sd15FixtureRoundTripsThroughCkpt() throws Exception {
        Path fixture = fixtures().resolve("sd15_tiny_s1234_f16.safetensors");
        Path ckpt = dir.resolve("sd15_tiny.ckpt");
        try (PointerScope scope = new PointerScope(); SafetensorsFile f = SafetensorsFile.open(fixture)) {
            Map<String, Tensor> raw = new LinkedHashMap<>();
            for (String name : f.names()) {
                raw.put(name, f.view(name));
            }
            TorchSaveWriter w = TorchSaveWriter.of(raw);
            w.lightning = true;
            w.write(ckpt);
        }
        for (ScalarType dtype : new ScalarType[] {ScalarType.Half, ScalarType.Float}) {
            try (PointerScope scope = new PointerScope();
                    Owned fromCkpt = new Owned(CheckpointReader.read(ckpt, dtype));
                    Owned expected = new Owned(StateDict.readSafetensors(fixture, dtype))) {
                assertEquals(1015, expected.size());
                assertEquals(expected.keys(), fromCkpt.keys());
                for (String key : expected.keys()) {
                    assertTrue(torch.equal(fromCkpt.get(key), expected.get(key)), key);
                }
                assertEquals(ModelFamily.SD1, ModelDetector.detect(fromCkpt.sd()).family());
            }
        }
    }

    @Test
    void aPickleCallingOsSystemIsRefusedNamingTheGlobalAndTheFile() throws Exception {
        TorchSaveWriter w = new TorchSaveWriter();
        w.storage("0", TorchDtype.FLOAT32, new byte[16]);
        w.tensor("x", "0", 0, new long[] {4}, new long[] {1});
        w.extraValue = p -> p.global("os", "system").mark().string("touch /tmp/pwned").tuple().reduce();
        Path file = dir.resolve("evil.ckpt");
        w.write(file);
        PickleSecurityException e = assertThrows(PickleSecurityException.class,
                () -> CheckpointReader.read(file, ScalarType.Float));
        assertEquals("os.system", e.global());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("'os.system'"),
                e.getMessage());

        w.extraValue = p -> p.global("builtins", "eval").mark().string("__import__('os')").tuple().reduce();
        w.write(file);
        assertTrue(assertThrows(PickleSecurityException.class, () -> CheckpointReader.read(file, ScalarType.Float))
                .getMessage().contains("'builtins.eval'"));
    }

    @Test
    void truncatedZipIsAClearError() throws Exception {
        Path file = smallCheckpoint("t.ckpt", new TorchSaveWriter());
        long size = Files.size(file);
        for (long keep : new long[] {size - 10, size / 2, 100, 3}) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(keep);
            }
            IOException e = assertThrows(IOException.class, () -> CheckpointReader.read(file, ScalarType.Float));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("unrecognised"),
                    e.getMessage());
        }
    }

    @Test
    void missingStorageEntryNamesTheEntryAndTheTensor() throws Exception {
        TorchSaveWriter w = new TorchSaveWriter();
        w.omit.add("1");
        Path file = smallCheckpoint("missing.ckpt", w);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> CheckpointReader.read(file, ScalarType.Float));
        assertEquals("bias", e.key());
        assertTrue(e.getMessage().contains("archive/data/1") && e.getMessage().contains("missing")
                && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void wrongStorageSizeAndOutOfRangeViewsAreClearErrors() throws Exception {
        TorchSaveWriter w = new TorchSaveWriter();
        w.replaceData.put("0", new byte[10]);
        Path file = smallCheckpoint("short.ckpt", w);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> CheckpointReader.read(file, ScalarType.Float));
        assertEquals("weight", e.key());
        assertTrue(e.getMessage().contains("has 10 bytes") && e.getMessage().contains("24 bytes"), e.getMessage());

        TorchSaveWriter beyond = new TorchSaveWriter();
        beyond.storage("0", TorchDtype.FLOAT32, new byte[24]);
        beyond.tensor("big", "0", 2, new long[] {2, 3}, new long[] {3, 1});
        Path file2 = dir.resolve("beyond.ckpt");
        beyond.write(file2);
        CheckpointFormatException e2 = assertThrows(CheckpointFormatException.class,
                () -> CheckpointReader.read(file2, ScalarType.Float));
        assertEquals("big", e2.key());
        assertTrue(e2.getMessage().contains("reaches element 8"), e2.getMessage());
    }

    @Test
    void otherBadFiles() throws Exception {
        Path legacy = dir.resolve("legacy.ckpt");
        Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
                (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'});
        assertEquals(CheckpointReader.Format.TORCH_LEGACY, CheckpointReader.detectFormat(legacy));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> CheckpointReader.read(legacy, ScalarType.Float));
        assertTrue(e.getMessage().contains("legacy (pre-1.6) torch.save format is not supported")
                && e.getMessage().contains("legacy.ckpt"), e.getMessage());

        Path garbage = dir.resolve("garbage.pt");
        Files.writeString(garbage, "hello, I am not a model");
        assertTrue(assertThrows(CheckpointFormatException.class, () -> CheckpointReader.read(garbage, ScalarType.Float))
                .getMessage().contains("unrecognised file format"));

        Path empty = dir.resolve("empty.bin");
        Files.write(empty, new byte[0]);
        assertTrue(assertThrows(CheckpointFormatException.class, () -> CheckpointReader.read(empty, ScalarType.Float))
                .getMessage().contains("empty"));

        // a zip with a corrupt data.pkl
        Path badPickle = dir.resolve("badpickle.ckpt");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(badPickle))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("badpickle/data.pkl"));
            zip.write(new byte[] {(byte) 0x80, 2, '}', 'q', 0, '(', 'X', 5, 0, 0, 0, 'a'});
            zip.closeEntry();
        }
        PickleException pe = assertThrows(PickleException.class, () -> CheckpointReader.read(badPickle,
                ScalarType.Float));
        assertTrue(pe.getMessage().contains("badpickle.ckpt:badpickle/data.pkl") && pe.getMessage().contains("truncated"),
                pe.getMessage());

        // a zip that is not a torch.save archive, and a TorchScript archive
        Path notTorch = dir.resolve("other.pt");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(notTorch))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            zip.write(1);
            zip.closeEntry();
        }
        assertTrue(assertThrows(CheckpointFormatException.class, () -> CheckpointReader.read(notTorch,
                ScalarType.Float)).getMessage().contains("no <name>/data.pkl"));
        Path script = dir.resolve("script.pt");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(script))) {
            for (String n : List.of("m/data.pkl", "m/constants.pkl", "m/code/__torch__.py")) {
                zip.putNextEntry(new java.util.zip.ZipEntry(n));
                zip.write(new byte[] {(byte) 0x80, 2, 'N', '.'});
                zip.closeEntry();
            }
        }
        assertTrue(assertThrows(CheckpointFormatException.class, () -> CheckpointReader.read(script,
                ScalarType.Float)).getMessage().contains("TorchScript"));

        // a pickle with no tensors
        Path noTensors = dir.resolve("none.pt");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(noTensors))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("none/data.pkl"));
            zip.write(new dev.easel.nodes.core.model.pickle.PickleWriter().proto(2).emptyDict().string("epoch")
                    .integer(1).setItem().stop().bytes());
            zip.closeEntry();
        }
        assertTrue(assertThrows(CheckpointFormatException.class, () -> CheckpointReader.read(noTensors,
                ScalarType.Float)).getMessage().contains("holds no tensors"));
    }

    @Test
    void deflatedEntriesAreReadToo() throws Exception {
        Path stored = smallCheckpoint("stored.ckpt", new TorchSaveWriter());
        Path deflated = dir.resolve("deflated.ckpt");
        try (var in = new java.util.zip.ZipFile(stored.toFile());
                var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(deflated))) {
            for (var entries = in.entries(); entries.hasMoreElements();) {
                var e = entries.nextElement();
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(in.getInputStream(e).readAllBytes());
                out.closeEntry();
            }
        }
        try (PointerScope scope = new PointerScope();
                Owned a = new Owned(CheckpointReader.read(stored, ScalarType.Float));
                Owned b = new Owned(CheckpointReader.read(deflated, ScalarType.Float))) {
            for (String key : a.keys()) {
                assertTrue(torch.equal(a.get(key), b.get(key)), key);
            }
        }
    }

    static String values(Tensor t) {
        Tensor c = t.to(ScalarType.Float).contiguous();
        float[] out = new float[(int) c.numel()];
        new org.bytedeco.javacpp.FloatPointer(c.data_ptr()).capacity(out.length).get(out);
        return java.util.Arrays.toString(out);
    }

    /** Releases a state dict at the end of a try block. */
    record Owned(StateDict sd) implements AutoCloseable {
        Tensor get(String key) {
            return sd.get(key);
        }

        java.util.Set<String> keys() {
            return sd.keys();
        }

        int size() {
            return sd.size();
        }

        @Override
        public void close() {
            sd.release();
        }
    }

    /** weight: float [2,3] in storage 0, bias: float [3] in storage 1. */
    private Path smallCheckpoint(String name, TorchSaveWriter w) throws IOException {
        byte[] weight = new byte[24];
        byte[] bias = new byte[12];
        for (int i = 0; i < 6; i++) {
            java.nio.ByteBuffer.wrap(weight).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(i * 4, i + 0.5f);
        }
        w.storage("0", TorchDtype.FLOAT32, weight);
        w.storage("1", TorchDtype.FLOAT32, bias);
        w.tensor("weight", "0", 0, new long[] {2, 3}, new long[] {3, 1});
        w.tensor("bias", "1", 0, new long[] {3}, new long[] {1});
        Path file = dir.resolve(name);
        w.write(file);
        return file;
    }
}
