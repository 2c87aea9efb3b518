package dev.easel.nodes.core.output;

import dev.easel.nodes.core.pycompat.PythonJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The text chunks ComfyUI's SaveImage puts in every PNG: {@code prompt} holding the API workflow as JSON, and one
 * chunk per key of {@code extra_pnginfo} (normally {@code workflow}, the editor's graph), each value as JSON. The
 * editor reads them back when a PNG is dropped on it.
 */
final class PngMetadata {

    private PngMetadata() {
    }

    /**
     * @param prompt       the API workflow, or {@code null}
     * @param extraPngInfo {@code extra_data.extra_pnginfo}, or {@code null}
     * @param skipped      receives keys that cannot be PNG keywords (they are left out rather than failing the save)
     */
    static List<TextChunk> chunks(Object prompt, Map<?, ?> extraPngInfo, List<String> skipped) {
        List<TextChunk> chunks = new ArrayList<>();
        if (prompt != null) {
            chunks.add(new TextChunk("prompt", PythonJson.dumps(prompt)));
        }
        if (extraPngInfo != null) {
            for (Map.Entry<?, ?> e : extraPngInfo.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (TextChunk.isValidKeyword(key) && PythonJson.isPlain(e.getValue())) {
                    chunks.add(new TextChunk(key, PythonJson.dumps(e.getValue())));
                } else {
                    skipped.add(key);
                }
            }
        }
        return chunks;
    }
}
