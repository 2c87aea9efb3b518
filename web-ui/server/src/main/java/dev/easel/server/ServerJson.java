package dev.easel.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.easel.engine.workflow.WorkflowParser;

/**
 * The server's JSON mapper: the workflow parser's (numbers as Long/BigInteger/Double, no string-length limit, since
 * bodies are already capped at {@link EaselServer#MAX_BODY_BYTES}), made strict for what clients send:
 *
 * <ul>
 *   <li>nothing after the document ({@code {...} garbage} is an error, not silently the first object);
 *   <li>no duplicate keys (which one would win is parser-dependent, so the sender cannot mean either);
 *   <li>nesting at most {@link #MAX_NESTING_DEPTH} deep, so that hostile input ({@code [[[[...}) fails fast with a
 *       parse error instead of deep recursion anywhere later.
 * </ul>
 */
public final class ServerJson {

    /**
     * Below Jackson's default of 1000 because what is read is written back a few levels deeper (a prompt inside a
     * queue item or a history entry) and Jackson's writer refuses more than 1000. Real API workflows are about six
     * levels deep; the frontend's UI workflow in {@code extra_pnginfo} a few dozen.
     */
    public static final int MAX_NESTING_DEPTH = 500;

    private ServerJson() {
    }

    /** A new mapper with these settings. */
    public static ObjectMapper mapper() {
        ObjectMapper json = WorkflowParser.mapper().copy();
        json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE)
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .build());
        json.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        json.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return json;
    }
}
