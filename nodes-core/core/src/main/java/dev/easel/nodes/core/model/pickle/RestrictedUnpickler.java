package dev.easel.nodes.core.model.pickle;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle virtual machine written in Java that executes no code: it reads the pickles {@code torch.save} writes
 * (protocols 0 to 5) and rebuilds plain values, with every {@code GLOBAL} resolved against a fixed allow-list of
 * constructors implemented here. Anything else is refused with a {@link PickleSecurityException} naming the global
 * and the file, before it could be called.
 *
 * <h2>What comes out</h2>
 * <ul>
 *   <li>None: {@code null}; bool: {@link Boolean}; int: {@link Long} ({@link BigInteger} when it does not fit);
 *       float: {@link Double}; str: {@link String}; bytes and bytearray: {@code byte[]}</li>
 *   <li>list: {@link ArrayList}; tuple and {@code torch.Size}: {@link PyTuple}; dict and
 *       {@code collections.OrderedDict}: {@link LinkedHashMap} (insertion order kept); set, frozenset:
 *       {@link LinkedHashSet}</li>
 *   <li>tensors ({@code torch._utils._rebuild_tensor}, {@code _rebuild_tensor_v2}, {@code _rebuild_tensor_v3},
 *       {@code _rebuild_parameter}, {@code _rebuild_parameter_with_state}, {@code torch._tensor._rebuild_from_type_v2}):
 *       {@link PickledTensor}, over {@link TorchStorageRef}s from the persistent ids
 *       {@code ('storage', torch.<Type>Storage, key, location, numel)}; no data is read</li>
 *   <li>{@code torch.<dtype>} ({@code torch.float16}, ...): {@link TorchDtype}; {@code torch.device}: its string</li>
 *   <li>numpy scalars ({@code numpy.core.multiarray.scalar} with a {@code numpy.dtype}; numpy 2's
 *       {@code numpy._core}): {@link Double}, {@link Long} or {@link Boolean}, or an opaque {@link PyObject} for
 *       other dtypes; {@code _codecs.encode(str, 'latin1')} (how protocol 2 stores bytes): {@code byte[]}</li>
 *   <li>PyTorch Lightning's {@code ModelCheckpoint} callback (found in SD 1.x {@code .ckpt} files) and numpy dtype
 *       classes: opaque {@link PyObject}s that record the class name, arguments and state; classes used as values
 *       (a callback class as a dict key): {@link PyGlobal}</li>
 * </ul>
 *
 * <p>Not supported (clear {@link PickleException}): the extension registry ({@code EXT1/2/4}) and out-of-band
 * buffers ({@code NEXT_BUFFER}, {@code READONLY_BUFFER}). Persistent ids other than torch storages are refused.
 *
 * <p>Not thread-safe; one instance reads one pickle.
 */
public final class RestrictedUnpickler {

    /** The highest pickle protocol this reads (Python 3.8+ writes at most 5). */
    public static final int HIGHEST_PROTOCOL = 5;

    private final String source;
    private final byte[] data;
    private int pos;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, TorchStorageRef> storages = new LinkedHashMap<>();

    /**
     * @param source what the pickle is (for example {@code model.ckpt:archive/data.pkl}), named in every error
     * @param data the pickle's bytes
     */
    public RestrictedUnpickler(String source, byte[] data) {
        this.source = source;
        this.data = data;
    }

    /** Unpickles {@code data} (see the class comment for what comes out). */
    public static Object load(String source, byte[] data) throws PickleException {
        return new RestrictedUnpickler(source, data).load();
    }

    /** The storages the pickle referenced, by key, in the order they first appeared (valid after {@link #load()}). */
    public Map<String, TorchStorageRef> storages() {
        return java.util.Collections.unmodifiableMap(storages);
    }

    /** Runs the pickle up to its {@code STOP} and returns the object it built. */
    public Object load() throws PickleException {
        try {
            return run();
        } catch (PickleException e) {
            throw e;
        } catch (IndexOutOfBoundsException e) {
            throw error("corrupt pickle: stack underflow or bad index near byte " + pos);
        } catch (ClassCastException e) {
            throw error("corrupt pickle: unexpected value type near byte " + pos + " (" + e.getMessage() + ")");
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw error("corrupt pickle near byte " + pos + ": " + e.getMessage());
        }
    }

    private Object run() throws PickleException {
        while (true) {
            if (pos >= data.length) {
                throw error("truncated pickle: no STOP opcode (the data ends after " + data.length + " bytes)");
            }
            int at = pos;
            int op = data[pos++] & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto > HIGHEST_PROTOCOL) {
                        throw error("unsupported pickle protocol " + proto);
                    }
                }
                case 0x95 -> skip(8); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.isEmpty()) {
                        throw error("corrupt pickle: STOP with an empty stack");
                    }
                    return pop();
                }
                case '(' -> marks.add(stack.size()); // MARK
                case '0' -> { // POP
                    if (!marks.isEmpty() && marks.get(marks.size() - 1) == stack.size()) {
                        popMark();
                    } else {
                        pop();
                    }
                }
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'I' -> { // INT (protocol 0)
                    String line = asciiLine();
                    if (line.equals("00")) {
                        push(Boolean.FALSE);
                    } else if (line.equals("01")) {
                        push(Boolean.TRUE);
                    } else {
                        push(normalize(new BigInteger(line.trim())));
                    }
                }
                case 'J' -> push((long) i32()); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) u16()); // BININT2
                case 'L' -> { // LONG (protocol 0)
                    String line = asciiLine().trim();
                    if (line.endsWith("L")) {
                        line = line.substring(0, line.length() - 1);
                    }
                    push(normalize(new BigInteger(line)));
                }
                case 0x8a -> push(longBytes(u8())); // LONG1
                case 0x8b -> push(longBytes(length(i32(), "LONG4"))); // LONG4
                case 'F' -> push(Double.parseDouble(asciiLine().trim())); // FLOAT
                case 'G' -> push(ByteBuffer.wrap(take(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
                case 'S' -> push(quotedString(asciiLine())); // STRING
                case 'T' -> push(new String(take(length(i32(), "BINSTRING")), StandardCharsets.UTF_8));
                case 'U' -> push(new String(take(u8()), StandardCharsets.UTF_8)); // SHORT_BINSTRING
                case 'V' -> push(rawUnicodeEscape(latin1Line())); // UNICODE (raw-unicode-escape)
                case 'X' -> push(new String(take(length(u32(), "BINUNICODE")), StandardCharsets.UTF_8));
                case 0x8c -> push(new String(take(u8()), StandardCharsets.UTF_8)); // SHORT_BINUNICODE
                case 0x8d -> push(new String(take(length(i64(), "BINUNICODE8")), StandardCharsets.UTF_8));
                case 'B' -> push(take(length(u32(), "BINBYTES")));
                case 'C' -> push(take(u8())); // SHORT_BINBYTES
                case 0x8e -> push(take(length(i64(), "BINBYTES8")));
                case 0x96 -> push(take(length(i64(), "BYTEARRAY8")));
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case 'a' -> { // APPEND
                    Object value = pop();
                    append(peek(), java.util.Collections.singletonList(value));
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    append(peek(), items);
                }
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case ')' -> push(PyTuple.EMPTY); // EMPTY_TUPLE
                case 't' -> push(new PyTuple(popMark())); // TUPLE
                case 0x85 -> push(PyTuple.of(pop())); // TUPLE1
                case 0x86 -> { // TUPLE2
                    Object b = pop();
                    Object a = pop();
                    push(PyTuple.of(a, b));
                }
                case 0x87 -> { // TUPLE3
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(PyTuple.of(a, b, c));
                }
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case 'd' -> { // DICT
                    Map<Object, Object> map = new LinkedHashMap<>();
                    setItems(map, popMark());
                    push(map);
                }
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    List<Object> pair = new ArrayList<>(2);
                    pair.add(key);
                    pair.add(value);
                    setItems(peek(), pair);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    setItems(peek(), items);
                }
                case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
                case 0x90 -> { // ADDITEMS
                    List<Object> items = popMark();
                    if (!(peek() instanceof Set<?>)) {
                        throw error("corrupt pickle: ADDITEMS on a " + typeName(peek()));
                    }
                    @SuppressWarnings("unchecked")
                    Set<Object> set = (Set<Object>) peek();
                    set.addAll(items);
                }
                case 0x91 -> push(new LinkedHashSet<>(popMark())); // FROZENSET
                case 'c' -> { // GLOBAL
                    String module = line();
                    String name = line();
                    push(resolveGlobal(module, name));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("corrupt pickle: STACK_GLOBAL needs two strings");
                    }
                    push(resolveGlobal(m, n));
                }
                case 'i' -> { // INST
                    String module = line();
                    String name = line();
                    Object cls = resolveGlobal(module, name);
                    push(call(cls, new PyTuple(popMark())));
                }
                case 'o' -> { // OBJ
                    List<Object> items = popMark();
                    if (items.isEmpty()) {
                        throw error("corrupt pickle: OBJ without a class");
                    }
                    push(call(items.get(0), new PyTuple(items.subList(1, items.size()))));
                }
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object func = pop();
                    push(call(func, tuple(args, "REDUCE arguments")));
                }
                case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                    Object args = pop();
                    Object cls = pop();
                    push(call(cls, tuple(args, "NEWOBJ arguments")));
                }
                case 0x92 -> { // NEWOBJ_EX
                    pop(); // kwargs: none of the allowed classes takes any
                    Object args = pop();
                    Object cls = pop();
                    push(call(cls, tuple(args, "NEWOBJ_EX arguments")));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    build(peek(), state);
                }
                case 'P' -> push(persistentLoad(asciiLine())); // PERSID
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                case 'p' -> memo.put(Long.parseLong(asciiLine().trim()), peek()); // PUT
                case 'q' -> memo.put((long) u8(), peek()); // BINPUT
                case 'r' -> memo.put(u32(), peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'g' -> push(memoGet(Long.parseLong(asciiLine().trim()))); // GET
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(u32())); // LONG_BINGET
                case 0x82, 0x83, 0x84 -> throw error("unsupported pickle opcode EXT" + (op == 0x82 ? 1 : op == 0x83 ? 2 : 4)
                        + " (the copyreg extension registry) at byte " + at);
                case 0x97, 0x98 -> throw error("unsupported pickle opcode "
                        + (op == 0x97 ? "NEXT_BUFFER" : "READONLY_BUFFER") + " (out-of-band buffers) at byte " + at);
                default -> throw error(String.format("corrupt pickle: unknown opcode 0x%02x at byte %d", op, at));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The allow-list

    /** Callables and classes the pickle may name; each is a Java implementation, never Python code. */
    private enum Kind {
        ORDERED_DICT, SET, FROZENSET, BYTEARRAY, REBUILD_TENSOR, REBUILD_TENSOR_V2, REBUILD_TENSOR_V3,
        REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE, REBUILD_FROM_TYPE_V2, TYPE_MARKER, TORCH_SIZE, TORCH_DEVICE,
        STORAGE_TYPE, DTYPE, OPAQUE_CLASS, NUMPY_SCALAR, NUMPY_DTYPE, CODECS_ENCODE
    }

    private static final Map<String, Kind> ALLOWED = new HashMap<>();

    static {
        ALLOWED.put("collections.OrderedDict", Kind.ORDERED_DICT);
        ALLOWED.put("builtins.set", Kind.SET);
        ALLOWED.put("builtins.frozenset", Kind.FROZENSET);
        ALLOWED.put("builtins.bytearray", Kind.BYTEARRAY);
        ALLOWED.put("torch._utils._rebuild_tensor", Kind.REBUILD_TENSOR);
        ALLOWED.put("torch._utils._rebuild_tensor_v2", Kind.REBUILD_TENSOR_V2);
        ALLOWED.put("torch._utils._rebuild_tensor_v3", Kind.REBUILD_TENSOR_V3);
        ALLOWED.put("torch._utils._rebuild_parameter", Kind.REBUILD_PARAMETER);
        ALLOWED.put("torch._utils._rebuild_parameter_with_state", Kind.REBUILD_PARAMETER_WITH_STATE);
        ALLOWED.put("torch._tensor._rebuild_from_type_v2", Kind.REBUILD_FROM_TYPE_V2);
        ALLOWED.put("torch.Tensor", Kind.TYPE_MARKER);
        ALLOWED.put("torch.nn.parameter.Parameter", Kind.TYPE_MARKER);
        ALLOWED.put("torch.nn.Parameter", Kind.TYPE_MARKER);
        ALLOWED.put("torch.Size", Kind.TORCH_SIZE);
        ALLOWED.put("torch.device", Kind.TORCH_DEVICE);
        // Lightning checkpoints (SD 1.x .ckpt files) carry their callbacks; ComfyUI allows the same class.
        ALLOWED.put("pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint", Kind.OPAQUE_CLASS);
        ALLOWED.put("lightning.pytorch.callbacks.model_checkpoint.ModelCheckpoint", Kind.OPAQUE_CLASS);
        ALLOWED.put("numpy.core.multiarray.scalar", Kind.NUMPY_SCALAR);
        ALLOWED.put("numpy._core.multiarray.scalar", Kind.NUMPY_SCALAR);
        ALLOWED.put("numpy.dtype", Kind.NUMPY_DTYPE);
        for (String t : List.of("Float64", "Float32", "Float16", "Int64", "Int32", "Int16", "Int8", "UInt64", "UInt32",
                "UInt16", "UInt8", "Bool")) {
            ALLOWED.put("numpy.dtypes." + t + "DType", Kind.OPAQUE_CLASS);
        }
        ALLOWED.put("_codecs.encode", Kind.CODECS_ENCODE);
    }

    /** Python 2 module names that Python 3's unpickler maps (fix_imports). */
    private static final Map<String, String> PY2_MODULES = Map.of("__builtin__", "builtins", "copy_reg", "copyreg");

    private Object resolveGlobal(String module, String name) throws PickleException {
        module = PY2_MODULES.getOrDefault(module, module);
        String qualified = module + "." + name;
        PyGlobal global = new PyGlobal(module, name);
        if (kindOf(global) != null) {
            return global;
        }
        if (module.equals("torch")) {
            var dtype = TorchDtype.ofDtypeName(name);
            if (dtype.isPresent()) {
                return dtype.get(); // torch.float16 is a value, not a callable
            }
        }
        if (qualified.equals("torch.storage._load_from_bytes")) {
            throw new PickleSecurityException(source, qualified, "refusing to load global '" + qualified
                    + "': it runs a nested, unrestricted pickle (legacy storage format); not supported");
        }
        throw new PickleSecurityException(source, qualified);
    }

    /** The kind of an allowed global, or {@code null}. */
    private static Kind kindOf(PyGlobal global) {
        Kind kind = ALLOWED.get(global.qualifiedName());
        if (kind == null && global.module().equals("torch") && TorchDtype.ofStorageClass(global.name()).isPresent()) {
            kind = Kind.STORAGE_TYPE;
        }
        return kind;
    }

    private Object call(Object callable, PyTuple args) throws PickleException {
        Kind kind = callable instanceof PyGlobal g ? kindOf(g) : null;
        if (kind == null) {
            throw error("corrupt pickle: cannot call a " + typeName(callable));
        }
        String name = ((PyGlobal) callable).qualifiedName();
        switch (kind) {
            case ORDERED_DICT -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                if (args.size() > 0 && args.get(0) != null) {
                    Object init = args.get(0);
                    if (init instanceof Map<?, ?> m) {
                        map.putAll(m);
                    } else if (init instanceof Collection<?> pairs) {
                        for (Object p : pairs) {
                            List<Object> kv = sequence(p, "OrderedDict item");
                            map.put(kv.get(0), kv.get(1));
                        }
                    } else {
                        throw error("corrupt pickle: OrderedDict(" + typeName(init) + ")");
                    }
                }
                return map;
            }
            case SET, FROZENSET -> {
                Set<Object> set = new LinkedHashSet<>();
                if (args.size() > 0 && args.get(0) != null) {
                    set.addAll(sequence(args.get(0), name + " argument"));
                }
                return set;
            }
            case BYTEARRAY -> {
                if (args.size() == 0) {
                    return new byte[0];
                }
                return bytesOf(args, name);
            }
            case CODECS_ENCODE -> {
                return bytesOf(args, name);
            }
            case REBUILD_TENSOR -> {
                arity(args, name, 4, 4);
                return tensor(args.get(0), null, args.get(1), args.get(2), args.get(3), false, name);
            }
            case REBUILD_TENSOR_V2 -> {
                arity(args, name, 6, 7);
                return tensor(args.get(0), null, args.get(1), args.get(2), args.get(3), truthy(args.get(4)), name);
            }
            case REBUILD_TENSOR_V3 -> {
                arity(args, name, 7, 8);
                if (!(args.get(6) instanceof TorchDtype dtype)) {
                    throw error("corrupt pickle: " + name + " needs a torch dtype, got " + typeName(args.get(6)));
                }
                return tensor(args.get(0), dtype, args.get(1), args.get(2), args.get(3), truthy(args.get(4)), name);
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                arity(args, name, kind == Kind.REBUILD_PARAMETER ? 3 : 4, 4);
                if (!(args.get(0) instanceof PickledTensor t)) {
                    throw error("corrupt pickle: " + name + " needs a tensor, got " + typeName(args.get(0)));
                }
                return t.withRequiresGrad(truthy(args.get(1)));
            }
            case REBUILD_FROM_TYPE_V2 -> { // (func, new_type, args, state): func(*args), the type is a marker
                arity(args, name, 4, 4);
                if (!(args.get(1) instanceof PyGlobal type) || kindOf(type) != Kind.TYPE_MARKER) {
                    throw error("corrupt pickle: " + name + " with type " + typeName(args.get(1)));
                }
                return call(args.get(0), tuple(args.get(2), name + " arguments"));
            }
            case TORCH_SIZE -> {
                return args.size() == 0 ? PyTuple.EMPTY : new PyTuple(sequence(args.get(0), name + " argument"));
            }
            case TORCH_DEVICE -> {
                StringBuilder b = new StringBuilder();
                for (Object o : args.items()) {
                    b.append(b.length() > 0 ? ":" : "").append(o);
                }
                return b.toString();
            }
            case NUMPY_DTYPE -> {
                return new PyObject(name, args);
            }
            case NUMPY_SCALAR -> {
                return numpyScalar(args, name);
            }
            case OPAQUE_CLASS -> {
                return new PyObject(name, args);
            }
            case STORAGE_TYPE, TYPE_MARKER -> throw error("corrupt pickle: " + name + " cannot be called here");
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    private PickledTensor tensor(Object storage, TorchDtype dtype, Object offset, Object size, Object stride,
            boolean requiresGrad, String name) throws PickleException {
        if (!(storage instanceof TorchStorageRef s)) {
            throw error("corrupt pickle: " + name + " needs a storage, got " + typeName(storage));
        }
        long[] sizes = longs(size, name + " size");
        long[] strides = longs(stride, name + " stride");
        if (sizes.length != strides.length) {
            throw error("corrupt pickle: " + name + " has " + sizes.length + " sizes but " + strides.length
                    + " strides");
        }
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 0 || strides[i] < 0) {
                throw error("corrupt pickle: " + name + " has a negative size or stride");
            }
        }
        long off = asLong(offset, name + " storage offset");
        if (off < 0) {
            throw error("corrupt pickle: " + name + " has a negative storage offset");
        }
        return new PickledTensor(s, dtype == null ? s.dtype() : dtype, off, sizes, strides, requiresGrad);
    }

    private Object persistentLoad(Object pid) throws PickleException {
        if (!(pid instanceof PyTuple t) || t.size() < 5 || !"storage".equals(t.get(0))) {
            throw error("unsupported persistent id " + pid + " (only torch storages are allowed)");
        }
        if (!(t.get(1) instanceof PyGlobal type) || kindOf(type) != Kind.STORAGE_TYPE) {
            throw error("corrupt pickle: persistent id with storage type " + typeName(t.get(1)));
        }
        Object keyObject = t.get(2);
        if (!(keyObject instanceof String) && !(keyObject instanceof Long)) {
            throw error("corrupt pickle: storage key " + typeName(keyObject));
        }
        String key = keyObject.toString();
        long numel = asLong(t.get(4), "storage size");
        if (numel < 0) {
            throw error("corrupt pickle: storage '" + key + "' has a negative size");
        }
        TorchDtype dtype = TorchDtype.ofStorageClass(type.name()).orElseThrow();
        TorchStorageRef existing = storages.get(key);
        if (existing != null) {
            if (existing.dtype() != dtype || existing.numel() != numel) {
                throw error("corrupt pickle: storage '" + key + "' is referenced with different types or sizes");
            }
            return existing;
        }
        TorchStorageRef ref = new TorchStorageRef(key, dtype, String.valueOf(t.get(3)), numel);
        storages.put(key, ref);
        return ref;
    }

    private void build(Object target, Object state) throws PickleException {
        if (target instanceof PyObject o) {
            o.setState(state);
        } else if (target instanceof Map<?, ?> || target instanceof PickledTensor) {
            // OrderedDict state dicts carry `_metadata` (module versions) as instance state; tensors may carry
            // Python attributes: neither matters for the weights
        } else {
            throw error("corrupt pickle: BUILD on a " + typeName(target));
        }
    }

    private Object numpyScalar(PyTuple args, String name) throws PickleException {
        if (args.size() < 2 || !(args.get(0) instanceof PyObject dtype) || !dtype.className().endsWith(".dtype")
                || dtype.args().size() < 1 || !(dtype.args().get(0) instanceof String code)
                || !(args.get(1) instanceof byte[] bytes)) {
            return new PyObject(name, args);
        }
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (dtype.state() instanceof PyTuple st && st.size() > 1 && ">".equals(st.get(1))) {
            order = ByteOrder.BIG_ENDIAN;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        try {
            switch (code) {
                case "f8": return b.getDouble();
                case "f4": return (double) b.getFloat();
                case "f2": return halfToDouble(b.getShort());
                case "i8": return b.getLong();
                case "i4": return (long) b.getInt();
                case "i2": return (long) b.getShort();
                case "i1": return (long) b.get();
                case "u4": return b.getInt() & 0xffffffffL;
                case "u2": return (long) (b.getShort() & 0xffff);
                case "u1": return (long) (b.get() & 0xff);
                case "b1": return b.get() != 0;
                default: return new PyObject(name, args);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw error("corrupt pickle: numpy scalar of dtype " + code + " with " + bytes.length + " bytes");
        }
    }

    /** IEEE 754 binary16 to double (Java 17 has no Float.float16ToFloat). */
    static double halfToDouble(short bits) {
        int sign = (bits >> 15) & 1;
        int exponent = (bits >> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        double value;
        if (exponent == 0) {
            value = mantissa * 0x1p-24;
        } else if (exponent == 31) {
            value = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            value = (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
        }
        return sign == 1 ? -value : value;
    }

    private byte[] bytesOf(PyTuple args, String name) throws PickleException {
        if (args.size() >= 1 && args.get(0) instanceof byte[] raw) {
            return raw;
        }
        if (args.size() >= 1 && args.get(0) instanceof String text) {
            String encoding = args.size() > 1 ? String.valueOf(args.get(1)).toLowerCase(java.util.Locale.ROOT)
                    .replace('_', '-') : "utf-8";
            if (encoding.equals("latin1") || encoding.equals("latin-1") || encoding.equals("iso-8859-1")) {
                byte[] out = new byte[text.length()];
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (c > 0xff) {
                        throw error("corrupt pickle: " + name + " of a non-latin-1 string");
                    }
                    out[i] = (byte) c;
                }
                return out;
            }
            if (encoding.equals("utf-8") || encoding.equals("utf8")) {
                return text.getBytes(StandardCharsets.UTF_8);
            }
            throw error("unsupported encoding '" + encoding + "' in " + name);
        }
        throw error("corrupt pickle: " + name + args);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Stack and value helpers

    private void append(Object target, List<Object> items) throws PickleException {
        if (target instanceof List<?>) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) target;
            list.addAll(items);
        } else if (target instanceof PyObject o) {
            o.listItems().addAll(items);
        } else {
            throw error("corrupt pickle: APPEND to a " + typeName(target));
        }
    }

    private void setItems(Object target, List<Object> items) throws PickleException {
        if (items.size() % 2 != 0) {
            throw error("corrupt pickle: odd number of items for SETITEMS");
        }
        Map<Object, Object> map;
        if (target instanceof Map<?, ?>) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> m = (Map<Object, Object>) target;
            map = m;
        } else if (target instanceof PyObject o) {
            map = o.dictItems();
        } else {
            throw error("corrupt pickle: SETITEM on a " + typeName(target));
        }
        for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
        }
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() throws PickleException {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) >= stack.size())) {
            throw error("corrupt pickle: stack underflow near byte " + pos);
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws PickleException {
        if (stack.isEmpty()) {
            throw error("corrupt pickle: stack underflow near byte " + pos);
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws PickleException {
        if (marks.isEmpty()) {
            throw error("corrupt pickle: no MARK near byte " + pos);
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> view = stack.subList(mark, stack.size());
        List<Object> items = new ArrayList<>(view);
        view.clear();
        return items;
    }

    private Object memoGet(long index) throws PickleException {
        if (!memo.containsKey(index)) {
            throw error("corrupt pickle: memo entry " + index + " was never stored");
        }
        return memo.get(index);
    }

    private PyTuple tuple(Object value, String what) throws PickleException {
        if (value instanceof PyTuple t) {
            return t;
        }
        throw error("corrupt pickle: " + what + " must be a tuple, got " + typeName(value));
    }

    private List<Object> sequence(Object value, String what) throws PickleException {
        if (value instanceof PyTuple t) {
            return t.items();
        }
        if (value instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        throw error("corrupt pickle: " + what + " must be a sequence, got " + typeName(value));
    }

    private long[] longs(Object value, String what) throws PickleException {
        List<Object> items = sequence(value, what);
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(items.get(i), what);
        }
        return out;
    }

    private long asLong(Object value, String what) throws PickleException {
        if (value instanceof Long l) {
            return l;
        }
        throw error("corrupt pickle: " + what + " must be an int, got " + typeName(value));
    }

    private void arity(PyTuple args, String name, int min, int max) throws PickleException {
        if (args.size() < min || args.size() > max) {
            throw error("corrupt pickle: " + name + " called with " + args.size() + " arguments");
        }
    }

    private static boolean truthy(Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Long l) {
            return l != 0;
        }
        return true;
    }

    private static Object normalize(BigInteger value) {
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private Object longBytes(int n) throws PickleException {
        if (n == 0) {
            return 0L;
        }
        byte[] little = take(n);
        byte[] big = new byte[n];
        for (int i = 0; i < n; i++) {
            big[i] = little[n - 1 - i];
        }
        return normalize(new BigInteger(big)); // two's complement, as pickle's LONG1/LONG4
    }

    private static String typeName(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof PyGlobal g) {
            return g.qualifiedName();
        }
        return value.getClass().getSimpleName();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Byte reading

    private int u8() throws PickleException {
        need(1);
        return data[pos++] & 0xff;
    }

    private int u16() throws PickleException {
        need(2);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    private int i32() throws PickleException {
        need(4);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16
                | (data[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    private long u32() throws PickleException {
        return i32() & 0xffffffffL;
    }

    private long i64() throws PickleException {
        long lo = u32();
        long hi = u32();
        return lo | hi << 32;
    }

    private int length(long n, String op) throws PickleException {
        if (n < 0 || n > data.length - pos) {
            throw error("truncated or corrupt pickle: " + op + " of " + n + " bytes at byte " + pos + ", but only "
                    + (data.length - pos) + " remain");
        }
        return (int) n;
    }

    private byte[] take(int n) throws PickleException {
        need(n);
        byte[] out = java.util.Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    private void skip(int n) throws PickleException {
        need(n);
        pos += n;
    }

    private void need(int n) throws PickleException {
        if (n < 0 || data.length - pos < n) {
            throw error("truncated pickle: needs " + n + " more bytes at byte " + pos + ", but only "
                    + (data.length - pos) + " remain");
        }
    }

    /** A newline-terminated line, decoded as UTF-8, without the newline. */
    private String line() throws PickleException {
        int start = pos;
        while (pos < data.length && data[pos] != '\n') {
            pos++;
        }
        if (pos >= data.length) {
            throw error("truncated pickle: unterminated line at byte " + start);
        }
        String s = new String(data, start, pos - start, StandardCharsets.UTF_8);
        pos++;
        return s;
    }

    private String asciiLine() throws PickleException {
        return line();
    }

    /** A newline-terminated line decoded as latin-1 (the base of raw-unicode-escape). */
    private String latin1Line() throws PickleException {
        int start = pos;
        String s = line();
        return new String(data, start, pos - 1 - start, StandardCharsets.ISO_8859_1);
    }

    private String quotedString(String line) throws PickleException {
        String s = line.trim();
        if (s.length() < 2 || s.charAt(0) != s.charAt(s.length() - 1) || (s.charAt(0) != '\'' && s.charAt(0) != '"')) {
            throw error("corrupt pickle: STRING argument must be quoted");
        }
        s = s.substring(1, s.length() - 1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case '0' -> b.append('\0');
                case 'x' -> {
                    if (i + 2 >= s.length()) {
                        throw error("corrupt pickle: bad \\x escape in STRING");
                    }
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> b.append(e);
            }
        }
        return b.toString();
    }

    private static String rawUnicodeEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 6 <= s.length() && s.charAt(i + 1) == 'u') {
                b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                i += 5;
            } else if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == 'U' && i + 10 <= s.length()) {
                b.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 10), 16));
                i += 9;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private PickleException error(String problem) {
        return new PickleException(source, problem);
    }
}
