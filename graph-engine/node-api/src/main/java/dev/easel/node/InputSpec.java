package dev.easel.node;

import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One input of a node: its name, its type and its options, as ComfyUI's {@code ["TYPE", {options}]} pair.
 *
 * <p>The widget types are {@link #INT}, {@link #FLOAT}, {@link #STRING}, {@link #BOOLEAN} and {@link #COMBO}; any
 * other type name ({@code MODEL}, {@code LATENT}, {@code IMAGE}, ...) is a socket that only accepts a link. {@code "*"}
 * accepts any type and {@code "A,B"} a union.
 *
 * <p>INT values are 64-bit. An input whose maximum is above {@link Long#MAX_VALUE} (seeds go up to 2^64−1) is
 * unsigned: its value arrives as a {@code long} holding the unsigned bits ({@link Long#toUnsignedString(long)}).
 */
public final class InputSpec {

    public static final String INT = "INT";
    public static final String FLOAT = "FLOAT";
    public static final String STRING = "STRING";
    public static final String BOOLEAN = "BOOLEAN";
    public static final String COMBO = "COMBO";
    /** The type that matches every other type. */
    public static final String ANY = "*";
    /** 2^64−1, the largest seed. */
    public static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final String name;
    private final String type;
    private final Map<String, Object> options;
    private final Supplier<List<String>> comboOptions;
    private final boolean lazy;
    private final boolean rawLink;
    private final boolean validatedByNode;

    private InputSpec(Builder b) {
        this.name = b.name;
        this.type = b.type;
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
        this.comboOptions = b.comboOptions;
        this.lazy = b.lazy;
        this.rawLink = b.rawLink;
        this.validatedByNode = b.validatedByNode;
    }

    /** An integer widget. */
    public static Builder integer(String name) {
        return new Builder(name, INT);
    }

    /** A floating-point widget. */
    public static Builder number(String name) {
        return new Builder(name, FLOAT);
    }

    /** A text widget. */
    public static Builder string(String name) {
        return new Builder(name, STRING);
    }

    /** A toggle. */
    public static Builder bool(String name) {
        return new Builder(name, BOOLEAN);
    }

    /** A choice from a fixed list. */
    public static Builder combo(String name, List<String> options) {
        List<String> copy = List.copyOf(options);
        return combo(name, () -> copy);
    }

    /**
     * A choice from a list that is computed again at every validation and {@code object_info} request (files in a
     * models folder, for example), so files added after start are accepted.
     */
    public static Builder combo(String name, Supplier<List<String>> options) {
        Builder b = new Builder(name, COMBO);
        b.comboOptions = Objects.requireNonNull(options, "options");
        return b;
    }

    /** A socket of a custom type ({@code MODEL}, {@code LATENT}, ...), fed only by a link. */
    public static Builder of(String name, String type) {
        return new Builder(name, type);
    }

    public String name() {
        return name;
    }

    /** The type name; {@link #COMBO} for choices. */
    public String type() {
        return type;
    }

    /** The options as they appear in {@code object_info} ({@code default}, {@code min}, {@code tooltip}, ...). */
    public Map<String, Object> options() {
        return options;
    }

    /** The current choices of a COMBO input (empty for other types). */
    public List<String> comboOptions() {
        return comboOptions == null ? List.of() : comboOptions.get();
    }

    public boolean isCombo() {
        return COMBO.equals(type);
    }

    /** True for INT, FLOAT, STRING, BOOLEAN and COMBO: types that can be written as literals. */
    public boolean isWidget() {
        return INT.equals(type) || FLOAT.equals(type) || STRING.equals(type) || BOOLEAN.equals(type) || isCombo();
    }

    /** The default value, or {@code null}. */
    public Object defaultValue() {
        return options.get("default");
    }

    /** The minimum as a number ({@code Long}, {@code BigInteger} or {@code Double}), or {@code null}. */
    public Number min() {
        return (Number) options.get("min");
    }

    /** The maximum as a number ({@code Long}, {@code BigInteger} or {@code Double}), or {@code null}. */
    public Number max() {
        return (Number) options.get("max");
    }

    /** True for an INT input whose range goes above {@link Long#MAX_VALUE}: its values are unsigned 64-bit. */
    public boolean isUnsigned() {
        return INT.equals(type) && max() instanceof BigInteger big && big.compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0;
    }

    /** Lazy inputs are evaluated only when {@link Node#lazyInputsNeeded} asks for them. */
    public boolean lazy() {
        return lazy;
    }

    /** The node receives the link itself ({@link OutputRef}) instead of the value (used by node expansion). */
    public boolean rawLink() {
        return rawLink;
    }

    /** The engine skips its min/max/list checks for this input; {@link Node#validateInputs} checks it instead. */
    public boolean validatedByNode() {
        return validatedByNode;
    }

    @Override
    public String toString() {
        return name + ":" + type;
    }

    /** Builds an {@link InputSpec}; every setter also records the option for {@code object_info}. */
    public static final class Builder {
        private final String name;
        private final String type;
        private final Map<String, Object> options = new LinkedHashMap<>();
        private Supplier<List<String>> comboOptions;
        private boolean lazy;
        private boolean rawLink;
        private boolean validatedByNode;

        private Builder(String name, String type) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("input name must not be blank");
            }
            if (type == null || type.isBlank()) {
                throw new IllegalArgumentException("input '" + name + "' needs a type");
            }
            this.name = name;
            this.type = type;
        }

        public Builder defaultValue(Object value) {
            return option("default", value);
        }

        public Builder min(long min) {
            return option("min", min);
        }

        public Builder max(long max) {
            return option("max", max);
        }

        public Builder max(BigInteger max) {
            return option("max", max.bitLength() < 64 ? (Object) max.longValueExact() : max);
        }

        public Builder min(double min) {
            return option("min", min);
        }

        public Builder max(double max) {
            return option("max", max);
        }

        public Builder step(Number step) {
            return option("step", step);
        }

        /** FLOAT rounding step shown by the editor. */
        public Builder round(double round) {
            return option("round", round);
        }

        public Builder multiline() {
            return option("multiline", true);
        }

        public Builder tooltip(String tooltip) {
            return option("tooltip", tooltip);
        }

        /** Adds the editor's "control after generate" (randomize/fixed/increment) widget to this INT input. */
        public Builder controlAfterGenerate() {
            return option("control_after_generate", true);
        }

        /** Shows the input as a socket even though its type has a widget. */
        public Builder forceInput() {
            return option("forceInput", true);
        }

        public Builder lazy() {
            this.lazy = true;
            return option("lazy", true);
        }

        public Builder rawLink() {
            this.rawLink = true;
            return option("rawLink", true);
        }

        public Builder validatedByNode() {
            this.validatedByNode = true;
            return this;
        }

        /** Any other option ComfyUI's editor knows ({@code display}, {@code image_upload}, {@code label_on}, ...). */
        public Builder option(String key, Object value) {
            options.put(key, value);
            return this;
        }

        public InputSpec build() {
            return new InputSpec(this);
        }
    }
}
