package dev.easel.nodes.core.model.files;

/** A state dict whose architecture {@link ModelDetector} does not recognise. */
public final class UnsupportedModelException extends IllegalArgumentException {

    private final String source;

    public UnsupportedModelException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    /** The file (or state dict source) concerned. */
    public String source() {
        return source;
    }
}
