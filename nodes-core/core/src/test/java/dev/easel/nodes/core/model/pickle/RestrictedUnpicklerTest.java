package dev.easel.nodes.core.model.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RestrictedUnpicklerTest {

    /**
     * Python 3.11's pickle.dumps(v, protocol) for protocols 0..5 of
     * {'int': 5, 'neg': -300, 'big': 2**80, 'negbig': -2**70, 'float': 0.1, 'str': 'héllo ☃\n\\x',
     * 'bytes': b'\x00\x01\xff', 'list': [1, [2, 3], ()], 'tuple': (1, 'a', None), 'set': {1}, 'fs': frozenset([2]),
     * 'true': True, 'false': False, 'none': None, 'od': OrderedDict([('k', 1)]), 'ba': bytearray(b'xy'),
     * 'i4': 100000, 'u2': 40000, 'shared': <the same list as 'list'>}.
     */
    private static final String[] PYTHON_PICKLES = {
            "KGRwMApWaW50CnAxCkk1CnNWbmVnCnAyCkktMzAwCnNWYmlnCnAzCkwxMjA4OTI1ODE5NjE0NjI5MTc0NzA2MTc2TApzVm5lZ2Jp"
                    + "ZwpwNApMLTExODA1OTE2MjA3MTc0MTEzMDM0MjRMCnNWZmxvYXQKcDUKRjAuMQpzVnN0cgpwNgpWaOlsbG8gXHUyNjAzXHUwMDBh"
                    + "XHUwMDVjeApwNwpzVmJ5dGVzCnA4CmNfY29kZWNzCmVuY29kZQpwOQooVlx1MDAwMAH/CnAxMApWbGF0aW4xCnAxMQp0cDEyClJw"
                    + "MTMKc1ZsaXN0CnAxNAoobHAxNQpJMQphKGxwMTYKSTIKYUkzCmFhKHRhc1Z0dXBsZQpwMTcKKEkxClZhCnAxOApOdHAxOQpzVnNl"
                    + "dApwMjAKY19fYnVpbHRpbl9fCnNldApwMjEKKChscDIyCkkxCmF0cDIzClJwMjQKc1ZmcwpwMjUKY19fYnVpbHRpbl9fCmZyb3pl"
                    + "bnNldApwMjYKKChscDI3CkkyCmF0cDI4ClJwMjkKc1Z0cnVlCnAzMApJMDEKc1ZmYWxzZQpwMzEKSTAwCnNWbm9uZQpwMzIKTnNW"
                    + "b2QKcDMzCmNjb2xsZWN0aW9ucwpPcmRlcmVkRGljdApwMzQKKHRScDM1ClZrCnAzNgpJMQpzc1ZiYQpwMzcKY19fYnVpbHRpbl9f"
                    + "CmJ5dGVhcnJheQpwMzgKKGc5CihWeHkKcDM5CmcxMQp0cDQwClJwNDEKdHA0MgpScDQzCnNWaTQKcDQ0CkkxMDAwMDAKc1Z1Mgpw"
                    + "NDUKSTQwMDAwCnNWc2hhcmVkCnA0NgpnMTUKcy4=",
            "fXEAKFgDAAAAaW50cQFLBVgDAAAAbmVncQJK1P7//1gDAAAAYmlncQNMMTIwODkyNTgxOTYxNDYyOTE3NDcwNjE3NkwKWAYAAABu"
                    + "ZWdiaWdxBEwtMTE4MDU5MTYyMDcxNzQxMTMwMzQyNEwKWAUAAABmbG9hdHEFRz+5mZmZmZmaWAMAAABzdHJxBlgNAAAAaMOpbGxv"
                    + "IOKYgwpceHEHWAUAAABieXRlc3EIY19jb2RlY3MKZW5jb2RlCnEJKFgEAAAAAAHDv3EKWAYAAABsYXRpbjFxC3RxDFJxDVgEAAAA"
                    + "bGlzdHEOXXEPKEsBXXEQKEsCSwNlKWVYBQAAAHR1cGxlcREoSwFYAQAAAGFxEk50cRNYAwAAAHNldHEUY19fYnVpbHRpbl9fCnNl"
                    + "dApxFShdcRZLAWF0cRdScRhYAgAAAGZzcRljX19idWlsdGluX18KZnJvemVuc2V0CnEaKF1xG0sCYXRxHFJxHVgEAAAAdHJ1ZXEe"
                    + "STAxClgFAAAAZmFsc2VxH0kwMApYBAAAAG5vbmVxIE5YAgAAAG9kcSFjY29sbGVjdGlvbnMKT3JkZXJlZERpY3QKcSIpUnEjWAEA"
                    + "AABrcSRLAXNYAgAAAGJhcSVjX19idWlsdGluX18KYnl0ZWFycmF5CnEmKGgJKFgCAAAAeHlxJ2gLdHEoUnEpdHEqUnErWAIAAABp"
                    + "NHEsSqCGAQBYAgAAAHUycS1NQJxYBgAAAHNoYXJlZHEuaA91Lg==",
            "gAJ9cQAoWAMAAABpbnRxAUsFWAMAAABuZWdxAkrU/v//WAMAAABiaWdxA4oLAAAAAAAAAAAAAAFYBgAAAG5lZ2JpZ3EEigkAAAAA"
                    + "AAAAAMBYBQAAAGZsb2F0cQVHP7mZmZmZmZpYAwAAAHN0cnEGWA0AAABow6lsbG8g4piDClx4cQdYBQAAAGJ5dGVzcQhjX2NvZGVj"
                    + "cwplbmNvZGUKcQlYBAAAAAABw79xClgGAAAAbGF0aW4xcQuGcQxScQ1YBAAAAGxpc3RxDl1xDyhLAV1xEChLAksDZSllWAUAAAB0"
                    + "dXBsZXERSwFYAQAAAGFxEk6HcRNYAwAAAHNldHEUY19fYnVpbHRpbl9fCnNldApxFV1xFksBYYVxF1JxGFgCAAAAZnNxGWNfX2J1"
                    + "aWx0aW5fXwpmcm96ZW5zZXQKcRpdcRtLAmGFcRxScR1YBAAAAHRydWVxHohYBQAAAGZhbHNlcR+JWAQAAABub25lcSBOWAIAAABv"
                    + "ZHEhY2NvbGxlY3Rpb25zCk9yZGVyZWREaWN0CnEiKVJxI1gBAAAAa3EkSwFzWAIAAABiYXElY19fYnVpbHRpbl9fCmJ5dGVhcnJh"
                    + "eQpxJmgJWAIAAAB4eXEnaAuGcShScSmFcSpScStYAgAAAGk0cSxKoIYBAFgCAAAAdTJxLU1AnFgGAAAAc2hhcmVkcS5oD3Uu",
            "gAN9cQAoWAMAAABpbnRxAUsFWAMAAABuZWdxAkrU/v//WAMAAABiaWdxA4oLAAAAAAAAAAAAAAFYBgAAAG5lZ2JpZ3EEigkAAAAA"
                    + "AAAAAMBYBQAAAGZsb2F0cQVHP7mZmZmZmZpYAwAAAHN0cnEGWA0AAABow6lsbG8g4piDClx4cQdYBQAAAGJ5dGVzcQhDAwAB/3EJ"
                    + "WAQAAABsaXN0cQpdcQsoSwFdcQwoSwJLA2UpZVgFAAAAdHVwbGVxDUsBWAEAAABhcQ5Oh3EPWAMAAABzZXRxEGNidWlsdGlucwpz"
                    + "ZXQKcRFdcRJLAWGFcRNScRRYAgAAAGZzcRVjYnVpbHRpbnMKZnJvemVuc2V0CnEWXXEXSwJhhXEYUnEZWAQAAAB0cnVlcRqIWAUA"
                    + "AABmYWxzZXEbiVgEAAAAbm9uZXEcTlgCAAAAb2RxHWNjb2xsZWN0aW9ucwpPcmRlcmVkRGljdApxHilScR9YAQAAAGtxIEsBc1gC"
                    + "AAAAYmFxIWNidWlsdGlucwpieXRlYXJyYXkKcSJDAnh5cSOFcSRScSVYAgAAAGk0cSZKoIYBAFgCAAAAdTJxJ01AnFgGAAAAc2hh"
                    + "cmVkcShoC3Uu",
            "gASVOwEAAAAAAAB9lCiMA2ludJRLBYwDbmVnlErU/v//jANiaWeUigsAAAAAAAAAAAAAAYwGbmVnYmlnlIoJAAAAAAAAAADAjAVm"
                    + "bG9hdJRHP7mZmZmZmZqMA3N0cpSMDWjDqWxsbyDimIMKXHiUjAVieXRlc5RDAwAB/5SMBGxpc3SUXZQoSwFdlChLAksDZSlljAV0"
                    + "dXBsZZRLAYwBYZROh5SMA3NldJSPlChLAZCMAmZzlChLApGUjAR0cnVllIiMBWZhbHNllImMBG5vbmWUTowCb2SUjAtjb2xsZWN0"
                    + "aW9uc5SMC09yZGVyZWREaWN0lJOUKVKUjAFrlEsBc4wCYmGUjAhidWlsdGluc5SMCWJ5dGVhcnJheZSTlEMCeHmUhZRSlIwCaTSU"
                    + "SqCGAQCMAnUylE1AnIwGc2hhcmVklGgLdS4=",
            "gAWVJQEAAAAAAAB9lCiMA2ludJRLBYwDbmVnlErU/v//jANiaWeUigsAAAAAAAAAAAAAAYwGbmVnYmlnlIoJAAAAAAAAAADAjAVm"
                    + "bG9hdJRHP7mZmZmZmZqMA3N0cpSMDWjDqWxsbyDimIMKXHiUjAVieXRlc5RDAwAB/5SMBGxpc3SUXZQoSwFdlChLAksDZSlljAV0"
                    + "dXBsZZRLAYwBYZROh5SMA3NldJSPlChLAZCMAmZzlChLApGUjAR0cnVllIiMBWZhbHNllImMBG5vbmWUTowCb2SUjAtjb2xsZWN0"
                    + "aW9uc5SMC09yZGVyZWREaWN0lJOUKVKUjAFrlEsBc4wCYmGUlgIAAAAAAAAAeHmUjAJpNJRKoIYBAIwCdTKUTUCcjAZzaGFyZWSU"
                    + "aAt1Lg=="
    };

    @Test
    void readsWhatPythonWritesInEveryProtocol() throws Exception {
        for (int protocol = 0; protocol < PYTHON_PICKLES.length; protocol++) {
            Object root = RestrictedUnpickler.load("p" + protocol, Base64.getDecoder().decode(PYTHON_PICKLES[protocol]));
            Map<?, ?> v = assertInstanceOf(Map.class, root, "protocol " + protocol);
            assertEquals(5L, v.get("int"));
            assertEquals(-300L, v.get("neg"));
            assertEquals(BigInteger.TWO.pow(80), v.get("big"));
            assertEquals(BigInteger.TWO.pow(70).negate(), v.get("negbig"));
            assertEquals(0.1, v.get("float"));
            assertEquals("héllo ☃\n\\x", v.get("str"), "protocol " + protocol);
            assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, (byte[]) v.get("bytes"), "protocol " + protocol);
            List<?> list = assertInstanceOf(List.class, v.get("list"));
            assertEquals(List.of(1L, List.of(2L, 3L), PyTuple.EMPTY), list);
            assertSame(list, v.get("shared"), "memoized objects stay shared");
            assertEquals(PyTuple.of(1L, "a", null), v.get("tuple"));
            assertEquals(Set.of(1L), v.get("set"));
            assertEquals(Set.of(2L), v.get("fs"));
            assertEquals(Boolean.TRUE, v.get("true"));
            assertEquals(Boolean.FALSE, v.get("false"));
            assertTrue(v.containsKey("none"));
            assertNull(v.get("none"));
            assertEquals(Map.of("k", 1L), v.get("od"));
            assertArrayEquals("xy".getBytes(), (byte[]) v.get("ba"), "protocol " + protocol);
            assertEquals(100000L, v.get("i4"));
            assertEquals(40000L, v.get("u2"));
            assertEquals(List.of("int", "neg", "big", "negbig", "float", "str", "bytes", "list", "tuple", "set", "fs",
                    "true", "false", "none", "od", "ba", "i4", "u2", "shared"), List.copyOf(v.keySet()),
                    "insertion order kept");
        }
    }

    @Test
    void refusesOsSystemNamingTheGlobalAndTheFile() {
        // the classic exploit: c os\nsystem\n (S'echo pwned' tR.
        byte[] evil = new PickleWriter().proto(2).global("os", "system").mark().string("echo pwned").tuple()
                .reduce().stop().bytes();
        PickleSecurityException e = assertThrows(PickleSecurityException.class,
                () -> RestrictedUnpickler.load("evil.ckpt:archive/data.pkl", evil));
        assertEquals("os.system", e.global());
        assertTrue(e.getMessage().contains("evil.ckpt"), e.getMessage());
        assertTrue(e.getMessage().contains("'os.system'"), e.getMessage());
    }

    @Test
    void refusesOtherDangerousGlobalsWhicheverOpcodeNamesThem() {
        byte[] stackGlobal = new PickleWriter().proto(4).stackGlobal("builtins", "eval").string("1+1").op(0x85)
                .op('R').stop().bytes();
        assertEquals("builtins.eval", assertThrows(PickleSecurityException.class,
                () -> RestrictedUnpickler.load("f", stackGlobal)).global());
        byte[] py2 = new PickleWriter().proto(2).global("__builtin__", "eval").stop().bytes();
        assertEquals("builtins.eval", assertThrows(PickleSecurityException.class,
                () -> RestrictedUnpickler.load("f", py2)).global());
        byte[] inst = ("(S'ls'\nisubprocess\nPopen\n.").getBytes();
        assertEquals("subprocess.Popen", assertThrows(PickleSecurityException.class,
                () -> RestrictedUnpickler.load("f", inst)).global());
        byte[] nested = new PickleWriter().proto(2).global("torch.storage", "_load_from_bytes").stop().bytes();
        PickleSecurityException e = assertThrows(PickleSecurityException.class,
                () -> RestrictedUnpickler.load("f", nested));
        assertEquals("torch.storage._load_from_bytes", e.global());
        for (String[] g : new String[][] {{"posix", "system"}, {"nt", "system"}, {"builtins", "exec"},
                {"builtins", "getattr"}, {"torch", "load"}, {"numpy", "load"}, {"collections", "defaultdict"},
                {"copyreg", "_reconstructor"}, {"torch._utils", "_rebuild_device_tensor_from_numpy"}}) {
            byte[] p = new PickleWriter().proto(2).global(g[0], g[1]).stop().bytes();
            assertEquals(g[0] + "." + g[1], assertThrows(PickleSecurityException.class,
                    () -> RestrictedUnpickler.load("f", p)).global());
        }
    }

    @Test
    void tensorsShareTheirStorage() throws Exception {
        PickleWriter w = new PickleWriter().proto(2).mark();
        for (long offset : new long[] {0, 6}) {
            w.global("torch._utils", "_rebuild_tensor_v2").mark();
            w.mark().string("storage").global("torch", "HalfStorage").string("0").string("cpu").integer(12).tuple()
                    .binPersId();
            w.integer(offset).intTuple(2, 3).intTuple(3, 1).bool(false);
            w.global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
        }
        w.op('l');
        RestrictedUnpickler u = new RestrictedUnpickler("f", w.stop().bytes());
        List<?> tensors = (List<?>) u.load();
        PickledTensor a = (PickledTensor) tensors.get(0);
        PickledTensor b = (PickledTensor) tensors.get(1);
        assertSame(a.storage(), b.storage());
        assertEquals(TorchDtype.FLOAT16, a.dtype());
        assertEquals(6, b.storageOffset());
        assertArrayEquals(new long[] {2, 3}, b.size());
        assertEquals(12, b.extentEnd());
        assertEquals(Map.of("0", a.storage()), u.storages());
    }

    @Test
    void aStorageKeyWithTwoDifferentSizesIsCorrupt() {
        PickleWriter w = new PickleWriter().proto(2).mark();
        for (long numel : new long[] {4, 5}) {
            w.mark().string("storage").global("torch", "FloatStorage").string("0").string("cpu").integer(numel)
                    .tuple().binPersId();
        }
        byte[] p = w.op('l').stop().bytes();
        PickleException e = assertThrows(PickleException.class, () -> RestrictedUnpickler.load("x.ckpt", p));
        assertTrue(e.getMessage().startsWith("x.ckpt: corrupt pickle"), e.getMessage());
    }

    @Test
    void corruptPicklesGiveClearErrors() {
        byte[] ok = new PickleWriter().proto(2).emptyDict().string("a").integer(1).setItem().stop().bytes();
        byte[] truncated = java.util.Arrays.copyOf(ok, ok.length - 3);
        PickleException e = assertThrows(PickleException.class, () -> RestrictedUnpickler.load("t.ckpt", truncated));
        assertTrue(e.getMessage().contains("t.ckpt") && e.getMessage().contains("truncated"), e.getMessage());
        PickleException unknown = assertThrows(PickleException.class,
                () -> RestrictedUnpickler.load("u.ckpt", new byte[] {(byte) 0x80, 2, (byte) 0xff}));
        assertTrue(unknown.getMessage().contains("unknown opcode 0xff"), unknown.getMessage());
        PickleException memo = assertThrows(PickleException.class,
                () -> RestrictedUnpickler.load("m", new byte[] {(byte) 0x80, 2, 'h', 7, '.'}));
        assertTrue(memo.getMessage().contains("memo entry 7"), memo.getMessage());
        PickleException underflow = assertThrows(PickleException.class,
                () -> RestrictedUnpickler.load("s", new byte[] {(byte) 0x80, 2, 'R', '.'}));
        assertTrue(underflow.getMessage().contains("underflow"), underflow.getMessage());
        PickleException hugeLength = assertThrows(PickleException.class,
                () -> RestrictedUnpickler.load("l", new byte[] {'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}));
        assertTrue(hugeLength.getMessage().contains("BINUNICODE"), hugeLength.getMessage());
        PickleException ext = assertThrows(PickleException.class,
                () -> RestrictedUnpickler.load("e", new byte[] {(byte) 0x80, 2, (byte) 0x82, 1, '.'}));
        assertTrue(ext.getMessage().contains("EXT1"), ext.getMessage());
        PickleException callNonCallable = assertThrows(PickleException.class,
                () -> RestrictedUnpickler.load("c", new PickleWriter().proto(2).integer(3).emptyTuple().reduce()
                        .stop().bytes()));
        assertTrue(callNonCallable.getMessage().contains("cannot call"), callNonCallable.getMessage());
    }

    @Test
    void halfFloats() {
        assertEquals(1.0, RestrictedUnpickler.halfToDouble((short) 0x3c00));
        assertEquals(-6.5, RestrictedUnpickler.halfToDouble((short) 0xc680));
        assertEquals(0x1p-24, RestrictedUnpickler.halfToDouble((short) 0x0001));
        assertEquals(65504.0, RestrictedUnpickler.halfToDouble((short) 0x7bff));
        assertEquals(Double.NEGATIVE_INFINITY, RestrictedUnpickler.halfToDouble((short) 0xfc00));
    }
}
