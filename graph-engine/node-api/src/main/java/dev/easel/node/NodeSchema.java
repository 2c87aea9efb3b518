package dev.easel.node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a node declares about itself: the equivalent of a ComfyUI node class's {@code INPUT_TYPES},
 * {@code RETURN_TYPES}, {@code CATEGORY}, {@code OUTPUT_NODE} and friends. Build one with {@link #builder(String)}.
 */
public final class NodeSchema {

    private final String name;
    private final String displayName;
    private final String category;
    private final String description;
    private final List<InputSpec> required;
    private final List<InputSpec> optional;
    private final Map<String, HiddenInput> hidden;
    private final List<OutputSpec> outputs;
    private final boolean outputNode;
    private final boolean inputIsList;
    private final boolean notIdempotent;
    private final boolean neverCache;
    private final boolean usesAccelerator;
    private final boolean deprecated;
    private final boolean experimental;
    private final List<String> searchAliases;
    private final String version;
    private final boolean modelLoader;
    private final Map<String, InputSpec> byName;

    private NodeSchema(Builder b) {
        this.name = b.name;
        this.displayName = b.displayName == null ? b.name : b.displayName;
        this.category = b.category;
        this.description = b.description;
        this.required = List.copyOf(b.required);
        this.optional = List.copyOf(b.optional);
        this.hidden = Collections.unmodifiableMap(new LinkedHashMap<>(b.hidden));
        this.outputs = List.copyOf(b.outputs);
        this.outputNode = b.outputNode;
        this.inputIsList = b.inputIsList;
        this.notIdempotent = b.notIdempotent;
        this.neverCache = b.neverCache;
        this.usesAccelerator = b.usesAccelerator;
        this.deprecated = b.deprecated;
        this.experimental = b.experimental;
        this.searchAliases = List.copyOf(b.searchAliases);
        this.version = b.version;
        this.modelLoader = b.modelLoader;
        Map<String, InputSpec> all = new LinkedHashMap<>();
        for (InputSpec in : required) {
            putUnique(all, in);
        }
        for (InputSpec in : optional) {
            putUnique(all, in);
        }
        for (String hiddenName : hidden.keySet()) {
            if (all.containsKey(hiddenName)) {
                throw new IllegalArgumentException(name + ": input '" + hiddenName + "' is declared twice");
            }
        }
        this.byName = Collections.unmodifiableMap(all);
    }

    private void putUnique(Map<String, InputSpec> all, InputSpec in) {
        if (all.put(in.name(), in) != null) {
            throw new IllegalArgumentException(name + ": input '" + in.name() + "' is declared twice");
        }
    }

    /** Starts a schema for the node class {@code name} (the {@code class_type} of workflows). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The class name used in workflows ({@code class_type}). */
    public String name() {
        return name;
    }

    public String displayName() {
        return displayName;
    }

    /** Slash-separated category path, for example {@code "utils/math"}. */
    public String category() {
        return category;
    }

    public String description() {
        return description;
    }

    public List<InputSpec> requiredInputs() {
        return required;
    }

    public List<InputSpec> optionalInputs() {
        return optional;
    }

    /** Hidden inputs by the name the node receives them under. */
    public Map<String, HiddenInput> hiddenInputs() {
        return hidden;
    }

    public List<OutputSpec> outputs() {
        return outputs;
    }

    /** A required or optional input by name. */
    public Optional<InputSpec> input(String inputName) {
        return Optional.ofNullable(byName.get(inputName));
    }

    /** All required and optional inputs, required first, in declaration order. */
    public List<InputSpec> inputs() {
        List<InputSpec> all = new ArrayList<>(required);
        all.addAll(optional);
        return all;
    }

    public boolean isRequired(String inputName) {
        return required.stream().anyMatch(in -> in.name().equals(inputName));
    }

    /** An output node is an execution target; its UI result is reported and kept in history. */
    public boolean outputNode() {
        return outputNode;
    }

    /** When true the node is called once with every input as a whole list (ComfyUI's {@code INPUT_IS_LIST}). */
    public boolean inputIsList() {
        return inputIsList;
    }

    /** When true the node's id is part of its cache key, so two identical copies never share a result. */
    public boolean notIdempotent() {
        return notIdempotent;
    }

    /** When true the node's output is never cached (for example unseeded randomness). */
    public boolean neverCache() {
        return neverCache;
    }

    /** When true the node does its work on the compute device; the engine serializes such nodes on an accelerator. */
    public boolean usesAccelerator() {
        return usesAccelerator;
    }

    public boolean deprecated() {
        return deprecated;
    }

    public boolean experimental() {
        return experimental;
    }

    /** The node's implementation version; part of its cache key, so bumping it invalidates old cached results. */
    public String version() {
        return version;
    }

    /**
     * True for nodes that load models (checkpoint, LoRA, VAE loaders): the cache keeps their outputs within a model
     * budget of its own, apart from intermediate results.
     */
    public boolean modelLoader() {
        return modelLoader;
    }

    /** Other words the editor's node search should match ({@code search_aliases}). */
    public List<String> searchAliases() {
        return searchAliases;
    }

    @Override
    public String toString() {
        return "NodeSchema[" + name + "]";
    }

    /** Builds a {@link NodeSchema}. */
    public static final class Builder {
        private final String name;
        private String displayName;
        private String category = "sd";
        private String description = "";
        private final List<InputSpec> required = new ArrayList<>();
        private final List<InputSpec> optional = new ArrayList<>();
        private final Map<String, HiddenInput> hidden = new LinkedHashMap<>();
        private final List<OutputSpec> outputs = new ArrayList<>();
        private boolean outputNode;
        private boolean inputIsList;
        private boolean notIdempotent;
        private boolean neverCache;
        private boolean usesAccelerator;
        private boolean deprecated;
        private boolean experimental;
        private final List<String> searchAliases = new ArrayList<>();
        private String version = "1";
        private boolean modelLoader;

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("node name must not be blank");
            }
            this.name = name;
        }

        public Builder displayName(String displayName) {
            this.displayName = displayName;
            return this;
        }

        public Builder category(String category) {
            this.category = category;
            return this;
        }

        public Builder description(String description) {
            this.description = description;
            return this;
        }

        public Builder required(InputSpec.Builder input) {
            return required(input.build());
        }

        public Builder required(InputSpec input) {
            required.add(input);
            return this;
        }

        public Builder optional(InputSpec.Builder input) {
            return optional(input.build());
        }

        public Builder optional(InputSpec input) {
            optional.add(input);
            return this;
        }

        public Builder hidden(String inputName, HiddenInput kind) {
            hidden.put(inputName, kind);
            return this;
        }

        public Builder output(String type) {
            return output(OutputSpec.of(type));
        }

        public Builder output(String type, String outputName) {
            return output(OutputSpec.of(type, outputName));
        }

        public Builder output(OutputSpec output) {
            outputs.add(output);
            return this;
        }

        public Builder outputNode() {
            this.outputNode = true;
            return this;
        }

        public Builder inputIsList() {
            this.inputIsList = true;
            return this;
        }

        public Builder notIdempotent() {
            this.notIdempotent = true;
            return this;
        }

        public Builder neverCache() {
            this.neverCache = true;
            return this;
        }

        public Builder usesAccelerator() {
            this.usesAccelerator = true;
            return this;
        }

        public Builder deprecated() {
            this.deprecated = true;
            return this;
        }

        public Builder experimental() {
            this.experimental = true;
            return this;
        }

        /** Bump when the node's results change for the same inputs, so cached results of the old version are not used. */
        public Builder version(String version) {
            this.version = version;
            return this;
        }

        public Builder modelLoader() {
            this.modelLoader = true;
            return this;
        }

        public Builder searchAliases(String... aliases) {
            searchAliases.addAll(List.of(aliases));
            return this;
        }

        public NodeSchema build() {
            return new NodeSchema(this);
        }
    }
}
