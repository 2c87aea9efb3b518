package dev.easel.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.easel.engine.workflow.WorkflowParser;

/**
 * The server's JSON: the workflow parser's mapper (numbers as Long/BigInteger/Double, no string-length limit, since
 * bodies are already capped at {@link EaselServer#MAX_BODY_BYTES}) with nesting at most {@link #MAX_NESTING_DEPTH}
 * deep, so that hostile input ({@code [[[[...}) fails fast with a parse error instead of deep recursion anywhere
 * later; and, for what clients send ({@link #strictReader}), no data after the document ({@code {...} garbage} is an
 * error, not silently the first object) and no duplicate keys (which one would win is parser-dependent, so the
 * sender cannot mean either). The mapper itself stays lenient there, since server code also reads values from the
 * middle of a stream with it (a safetensors header).
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
        return json;
    }

    /** A reader of request bodies: {@code json}'s settings, plus no trailing data and no duplicate keys. */
    public static ObjectReader strictReader(ObjectMapper json) {
        return json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }
}
