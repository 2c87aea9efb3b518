package dev.easel.nodes.core.model.pickle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An opaque placeholder for an instance of an allow-listed metadata class (for example a PyTorch Lightning
 * {@code ModelCheckpoint} callback or a numpy value this unpickler does not decode): it records the class name, the
 * constructor arguments and the state set by {@code BUILD}, and runs nothing.
 */
public final class PyObject {

    private final String className;
    private final PyTuple args;
    private Object state;
    private final List<Object> listItems = new ArrayList<>();
    private final Map<Object, Object> dictItems = new LinkedHashMap<>();

    public PyObject(String className, PyTuple args) {
        this.className = className;
        this.args = args;
    }

    /** The class as {@code module.name}. */
    public String className() {
        return className;
    }

    /** The arguments it was constructed with. */
    public PyTuple args() {
        return args;
    }

    /** The state from {@code BUILD} (usually the instance {@code __dict__}), or {@code null}. */
    public Object state() {
        return state;
    }

    void setState(Object state) {
        this.state = state;
    }

    /** Items appended to it (a list subclass), in order. */
    public List<Object> listItems() {
        return listItems;
    }

    /** Items set on it (a dict subclass), in order. */
    public Map<Object, Object> dictItems() {
        return dictItems;
    }

    @Override
    public String toString() {
        return "<" + className + " object>";
    }
}
