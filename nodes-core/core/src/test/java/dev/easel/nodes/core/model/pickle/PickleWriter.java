package dev.easel.nodes.core.model.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Test-only: writes pickle opcodes the way Python's protocol-2 pickler does for {@code torch.save} (globals and
 * strings memoized with BINPUT and reused with BINGET).
 */
public final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> memo = new HashMap<>();
    private int nextMemo;

    public PickleWriter proto(int protocol) {
        return op(0x80).op(protocol);
    }

    public PickleWriter op(int opcode) {
        out.write(opcode);
        return this;
    }

    public PickleWriter raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    public PickleWriter mark() {
        return op('(');
    }

    public PickleWriter stop() {
        return op('.');
    }

    public PickleWriter emptyDict() {
        return op('}').put();
    }

    public PickleWriter emptyTuple() {
        return op(')');
    }

    public PickleWriter setItems() {
        return op('u');
    }

    public PickleWriter setItem() {
        return op('s');
    }

    public PickleWriter tuple() {
        return op('t').put();
    }

    public PickleWriter reduce() {
        return op('R').put();
    }

    public PickleWriter build() {
        return op('b');
    }

    public PickleWriter newObj() {
        return op(0x81).put();
    }

    public PickleWriter binPersId() {
        return op('Q');
    }

    public PickleWriter none() {
        return op('N');
    }

    public PickleWriter bool(boolean value) {
        return op(value ? 0x88 : 0x89);
    }

    /** The shortest integer opcode, as Python picks it. */
    public PickleWriter integer(long value) {
        if (value >= 0 && value < 256) {
            return op('K').op((int) value);
        }
        if (value >= 0 && value < 65536) {
            return op('M').op((int) (value & 0xff)).op((int) (value >> 8));
        }
        if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            return op('J').raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value).array());
        }
        return op(0x8a).op(8).raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
    }

    public PickleWriter binFloat(double value) {
        return op('G').raw(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(value).array());
    }

    /** A str, memoized: a repeated string is a BINGET like in Python. */
    public PickleWriter string(String value) {
        Integer index = memo.get("s:" + value);
        if (index != null) {
            return get(index);
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        op('X').raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).array()).raw(utf8);
        memo.put("s:" + value, nextMemo);
        return put();
    }

    /** A GLOBAL, memoized. */
    public PickleWriter global(String module, String name) {
        Integer index = memo.get("g:" + module + "." + name);
        if (index != null) {
            return get(index);
        }
        op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        memo.put("g:" + module + "." + name, nextMemo);
        return put();
    }

    /** STACK_GLOBAL (protocol 4). */
    public PickleWriter stackGlobal(String module, String name) {
        byte[] m = module.getBytes(StandardCharsets.UTF_8);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return op(0x8c).op(m.length).raw(m).op(0x8c).op(n.length).raw(n).op(0x93);
    }

    /** A tuple of small ints (sizes, strides) the way Python writes it. */
    public PickleWriter intTuple(long... values) {
        if (values.length == 0) {
            return emptyTuple();
        }
        if (values.length > 3) {
            mark();
        }
        for (long v : values) {
            integer(v);
        }
        if (values.length > 3) {
            return tuple();
        }
        return op(0x84 + values.length).put();
    }

    public PickleWriter get(int index) {
        return index < 256 ? op('h').op(index) : op('j')
                .raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(index).array());
    }

    /** BINPUT of the top of the stack under the next memo index. */
    public PickleWriter put() {
        int index = nextMemo++;
        return index < 256 ? op('q').op(index) : op('r')
                .raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(index).array());
    }

    public byte[] bytes() {
        return out.toByteArray();
    }
}
