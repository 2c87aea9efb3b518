package dev.easel.nodes.core.model.pickle;

import java.io.IOException;

/** A pickle that cannot be read: corrupt, truncated, or using a feature this unpickler does not implement. */
public class PickleException extends IOException {

    private final String source;

    /**
     * @param source what was being read (a file, or file and zip entry), named first in the message
     * @param problem what is wrong
     */
    public PickleException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    /** What was being read. */
    public String source() {
        return source;
    }
}
