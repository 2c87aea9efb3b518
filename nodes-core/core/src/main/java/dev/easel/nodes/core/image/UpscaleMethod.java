package dev.easel.nodes.core.image;

import java.util.Arrays;
import java.util.List;

/** The resampling methods of ImageScale and ImageScaleBy, by ComfyUI's names. */
public enum UpscaleMethod {
    NEAREST_EXACT("nearest-exact"),
    BILINEAR("bilinear"),
    AREA("area"),
    BICUBIC("bicubic"),
    LANCZOS("lanczos");

    private final String label;

    UpscaleMethod(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static List<String> labels() {
        return Arrays.stream(values()).map(UpscaleMethod::label).toList();
    }

    public static UpscaleMethod of(String label) {
        for (UpscaleMethod m : values()) {
            if (m.label.equals(label)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown upscale method '" + label + "': expected one of " + labels());
    }
}
