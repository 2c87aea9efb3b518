package dev.easel.nodes.core.model.pickle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple: an immutable list whose items may be {@code null} (None). Equal tuples are equal, so tuples work as
 * map keys like in Python.
 */
public record PyTuple(List<Object> items) {

    public static final PyTuple EMPTY = new PyTuple(List.of());

    public PyTuple {
        items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    public static PyTuple of(Object... items) {
        List<Object> list = new ArrayList<>(items.length);
        Collections.addAll(list, items);
        return new PyTuple(list);
    }

    public int size() {
        return items.size();
    }

    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < items.size(); i++) {
            b.append(i > 0 ? ", " : "").append(items.get(i));
        }
        return b.append(items.size() == 1 ? ",)" : ")").toString();
    }
}
